/**
 * Process settings (not the declarative config): listen addresses, workers, paths,
 * logging and request limits. Sources in order of precedence: CLI flags, then
 * GATEHOUSE_* environment variables, then defaults. Every bad value is reported.
 */
import { availableParallelism } from 'node:os';

export interface ListenAddress {
  /** IPv6 hosts are stored without brackets. */
  host: string;
  /** 0 = ephemeral. */
  port: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type AccessLog = { kind: 'stdout' } | { kind: 'off' } | { kind: 'file'; path: string };

/**
 * What reads plain-HTTP client connections: `strict` (node:net and the gateway's own strict
 * HTTP/1.x parser, core/worker/strict/) or `uws` (uWebSockets.js, whose parser holds what
 * it cannot parse; README "What the gateway adds and removes"). TLS is served by uWS.
 */
export const HTTP_FRONTS = ['strict', 'uws'] as const;
export type HttpFrontName = (typeof HTTP_FRONTS)[number];

export interface Settings {
  proxyListen: ListenAddress;
  /** The HTTPS listener; it runs only when a certificate is configured (`sslCert` or the config's). */
  proxySslListen: ListenAddress;
  /** Kong's ssl_cert / ssl_cert_key: paths of the default certificate and key (both or neither). */
  sslCert: string | null;
  sslCertKey: string | null;
  adminListen: ListenAddress;
  workers: number;
  configPath: string | null;
  wasmFiltersPath: string | null;
  /** Required by the admin API on every request when set; allows non-loopback admin binds. */
  adminToken: string | null;
  /** File that every successful admin API change is written to (declarative YAML). */
  persistConfig: string | null;
  logLevel: LogLevel;
  accessLog: AccessLog;
  httpFront: HttpFrontName;
  limits: {
    /** Request line + headers; uWS answers 431 itself past its own compile-time cap. */
    maxHeaderBytes: number;
    maxUrlLength: number;
    /** 0 = unlimited (Kong's client_max_body_size 0). */
    maxBodyBytes: number;
  };
}

export const SETTINGS_DEFAULTS = {
  proxyListen: '0.0.0.0:8000',
  proxySslListen: '0.0.0.0:8443',
  adminListen: '127.0.0.1:8001',
  logLevel: 'info',
  accessLog: 'stdout',
  httpFront: 'strict',
  maxHeaderBytes: 16_384,
  maxUrlLength: 8_192,
  maxBodyBytes: 128 * 1024 * 1024,
} as const;

export const MAX_WORKERS = 1024;

/** Each setting: its CLI flag (if any) and its environment variable. */
const SOURCES = {
  config: { flag: 'config', env: 'GATEHOUSE_CONFIG' },
  workers: { flag: 'workers', env: 'GATEHOUSE_WORKERS' },
  proxyListen: { flag: 'proxy-listen', env: 'GATEHOUSE_PROXY_LISTEN' },
  proxySslListen: { flag: 'proxy-ssl-listen', env: 'GATEHOUSE_PROXY_SSL_LISTEN' },
  sslCert: { flag: 'ssl-cert', env: 'GATEHOUSE_SSL_CERT' },
  sslCertKey: { flag: 'ssl-cert-key', env: 'GATEHOUSE_SSL_CERT_KEY' },
  adminListen: { flag: 'admin-listen', env: 'GATEHOUSE_ADMIN_LISTEN' },
  wasmFiltersPath: { flag: 'wasm-filters-path', env: 'GATEHOUSE_WASM_FILTERS_PATH' },
  adminToken: { flag: null, env: 'GATEHOUSE_ADMIN_TOKEN' },
  persistConfig: { flag: 'persist-config', env: 'GATEHOUSE_PERSIST_CONFIG' },
  logLevel: { flag: null, env: 'GATEHOUSE_LOG_LEVEL' },
  accessLog: { flag: null, env: 'GATEHOUSE_ACCESS_LOG' },
  httpFront: { flag: 'http-front', env: 'GATEHOUSE_HTTP_FRONT' },
  maxHeaderBytes: { flag: null, env: 'GATEHOUSE_MAX_HEADER_BYTES' },
  maxUrlLength: { flag: null, env: 'GATEHOUSE_MAX_URL_LENGTH' },
  maxBodyBytes: { flag: null, env: 'GATEHOUSE_MAX_BODY_BYTES' },
} as const;

type Key = keyof typeof SOURCES;

/** `HOST:PORT` or `[IPv6]:PORT`; returns an error message on failure. */
export function parseListen(text: string): ListenAddress | string {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]\s]+)):([0-9]+)$/.exec(text.trim());
  if (m === null) return 'must be HOST:PORT (IPv6 as [::1]:8000)';
  const port = Number(m[3]);
  if (!Number.isSafeInteger(port) || port > 65535) return 'port must be 0-65535';
  return { host: (m[1] ?? m[2]) as string, port };
}

function parseInteger(text: string, min: number, max: number): number | string {
  if (!/^[0-9]+$/.test(text.trim())) return `must be an integer from ${min} to ${max}`;
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n) || n < min || n > max) return `must be an integer from ${min} to ${max}`;
  return n;
}

export function resolveSettings(
  flags: Partial<Record<string, string>>,
  env: Record<string, string | undefined>,
): { ok: true; settings: Settings } | { ok: false; errors: string[] } {
  const errors: string[] = [];

  /** The winning raw value and a label naming where it came from, or null for the default. */
  const pick = (key: Key): { value: string; label: string } | null => {
    const src = SOURCES[key];
    if (src.flag !== null) {
      const v = flags[src.flag];
      if (v !== undefined && v !== '') return { value: v, label: `--${src.flag}` };
    }
    const e = env[src.env];
    if (e !== undefined && e !== '') return { value: e, label: src.env };
    return null;
  };

  function value<T>(key: Key, dflt: string | null, parse: (text: string) => T | string, fallback: T): T {
    const chosen = pick(key);
    const text = chosen?.value ?? dflt;
    if (text === null) return fallback;
    const parsed = parse(text);
    if (typeof parsed === 'string') {
      errors.push(`${chosen?.label ?? key}: ${parsed} (got "${text}")`);
      return fallback;
    }
    return parsed;
  }

  const anyPort: ListenAddress = { host: '', port: 0 };
  const settings: Settings = {
    proxyListen: value('proxyListen', SETTINGS_DEFAULTS.proxyListen, parseListen, anyPort),
    adminListen: value('adminListen', SETTINGS_DEFAULTS.adminListen, parseListen, anyPort),
    proxySslListen: value('proxySslListen', SETTINGS_DEFAULTS.proxySslListen, parseListen, anyPort),
    sslCert: pick('sslCert')?.value ?? null,
    sslCertKey: pick('sslCertKey')?.value ?? null,
    workers: value('workers', String(availableParallelism()), (t) => parseInteger(t, 1, MAX_WORKERS), 1),
    configPath: pick('config')?.value ?? null,
    wasmFiltersPath: pick('wasmFiltersPath')?.value ?? null,
    adminToken: pick('adminToken')?.value ?? null,
    persistConfig: pick('persistConfig')?.value ?? null,
    // Wrapped in an object: `value` reads a bare string result as an error message.
    logLevel: value(
      'logLevel',
      SETTINGS_DEFAULTS.logLevel,
      (t): { level: LogLevel } | string =>
        (LOG_LEVELS as readonly string[]).includes(t) ? { level: t as LogLevel } : `must be one of: ${LOG_LEVELS.join(', ')}`,
      { level: 'info' as LogLevel },
    ).level,
    accessLog: value(
      'accessLog',
      SETTINGS_DEFAULTS.accessLog,
      (t): AccessLog => (t === 'stdout' ? { kind: 'stdout' } : t === 'off' ? { kind: 'off' } : { kind: 'file', path: t }),
      { kind: 'stdout' },
    ),
    // Wrapped in an object: `value` reads a bare string result as an error message.
    httpFront: value(
      'httpFront',
      SETTINGS_DEFAULTS.httpFront,
      (t): { front: HttpFrontName } | string =>
        (HTTP_FRONTS as readonly string[]).includes(t) ? { front: t as HttpFrontName } : `must be one of: ${HTTP_FRONTS.join(', ')}`,
      { front: SETTINGS_DEFAULTS.httpFront as HttpFrontName },
    ).front,
    limits: {
      maxHeaderBytes: value('maxHeaderBytes', String(SETTINGS_DEFAULTS.maxHeaderBytes), (t) => parseInteger(t, 1024, 1024 * 1024), 0),
      maxUrlLength: value('maxUrlLength', String(SETTINGS_DEFAULTS.maxUrlLength), (t) => parseInteger(t, 16, 1024 * 1024), 0),
      maxBodyBytes: value('maxBodyBytes', String(SETTINGS_DEFAULTS.maxBodyBytes), (t) => parseInteger(t, 0, Number.MAX_SAFE_INTEGER), 0),
    },
  };
  if ((settings.sslCert === null) !== (settings.sslCertKey === null)) {
    errors.push(settings.sslCert === null ? '--ssl-cert (GATEHOUSE_SSL_CERT) is required with --ssl-cert-key' : '--ssl-cert-key (GATEHOUSE_SSL_CERT_KEY) is required with --ssl-cert');
  }
  return errors.length === 0 ? { ok: true, settings } : { ok: false, errors };
}
