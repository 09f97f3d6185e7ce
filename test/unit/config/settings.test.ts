import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { parseListen, resolveSettings } from '../../../core/config/settings.js';

function settings(flags: Record<string, string>, env: Record<string, string | undefined>) {
  const r = resolveSettings(flags, env);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.settings;
}

describe('resolveSettings', () => {
  it('has Kong-like defaults', () => {
    expect(settings({}, {})).toEqual({
      proxyListen: { host: '0.0.0.0', port: 8000 },
      adminListen: { host: '127.0.0.1', port: 8001 },
      workers: availableParallelism(),
      configPath: null,
      wasmFiltersPath: null,
      adminToken: null,
      persistConfig: null,
      proxySslListen: { host: '0.0.0.0', port: 8443 },
      sslCert: null,
      sslCertKey: null,
      logLevel: 'info',
      accessLog: { kind: 'stdout' },
      httpFront: 'strict',
      limits: { maxHeaderBytes: 16384, maxUrlLength: 8192, maxBodyBytes: 128 * 1024 * 1024 },
    });
  });

  it('reads every GATEHOUSE_* variable', () => {
    expect(settings({}, {
      GATEHOUSE_CONFIG: '/etc/gw.yaml',
      GATEHOUSE_WORKERS: '3',
      GATEHOUSE_PROXY_LISTEN: '127.0.0.1:0',
      GATEHOUSE_ADMIN_LISTEN: '[::1]:9001',
      GATEHOUSE_WASM_FILTERS_PATH: '/opt/filters',
      GATEHOUSE_LOG_LEVEL: 'debug',
      GATEHOUSE_ACCESS_LOG: '/var/log/gw.log',
      GATEHOUSE_MAX_HEADER_BYTES: '32768',
      GATEHOUSE_MAX_URL_LENGTH: '4096',
      GATEHOUSE_MAX_BODY_BYTES: '0',
      GATEHOUSE_HTTP_FRONT: 'uws',
    })).toEqual({
      proxyListen: { host: '127.0.0.1', port: 0 },
      adminListen: { host: '::1', port: 9001 },
      workers: 3,
      configPath: '/etc/gw.yaml',
      wasmFiltersPath: '/opt/filters',
      adminToken: null,
      persistConfig: null,
      proxySslListen: { host: '0.0.0.0', port: 8443 },
      sslCert: null,
      sslCertKey: null,
      logLevel: 'debug',
      accessLog: { kind: 'file', path: '/var/log/gw.log' },
      httpFront: 'uws',
      limits: { maxHeaderBytes: 32768, maxUrlLength: 4096, maxBodyBytes: 0 },
    });
    expect(settings({}, { GATEHOUSE_ACCESS_LOG: 'off' }).accessLog).toEqual({ kind: 'off' });
  });

  it('lets flags beat env and env beat defaults', () => {
    const env = { GATEHOUSE_CONFIG: 'env.yaml', GATEHOUSE_WORKERS: '2', GATEHOUSE_PROXY_LISTEN: '0.0.0.0:7000', GATEHOUSE_ADMIN_LISTEN: '127.0.0.1:7001', GATEHOUSE_WASM_FILTERS_PATH: '/env' };
    const s = settings({ config: 'flag.yaml', workers: '5', 'proxy-listen': '127.0.0.1:9000', 'wasm-filters-path': '/flag' }, env);
    expect(s.configPath).toBe('flag.yaml');
    expect(s.workers).toBe(5);
    expect(s.proxyListen).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(s.wasmFiltersPath).toBe('/flag');
    expect(s.adminListen).toEqual({ host: '127.0.0.1', port: 7001 });
  });

  it('treats empty values as unset', () => {
    expect(settings({ workers: '' }, { GATEHOUSE_WORKERS: '', GATEHOUSE_LOG_LEVEL: '' }).logLevel).toBe('info');
  });

  it('reports every bad value with its source', () => {
    const r = resolveSettings({ workers: '0', 'admin-listen': 'localhost', 'http-front': 'nginx' }, {
      GATEHOUSE_PROXY_LISTEN: '0.0.0.0:70000',
      GATEHOUSE_LOG_LEVEL: 'loud',
      GATEHOUSE_MAX_BODY_BYTES: '-1',
      GATEHOUSE_MAX_HEADER_BYTES: '12k',
    });
    expect(r).toEqual({
      ok: false,
      errors: [
        'GATEHOUSE_PROXY_LISTEN: port must be 0-65535 (got "0.0.0.0:70000")',
        '--admin-listen: must be HOST:PORT (IPv6 as [::1]:8000) (got "localhost")',
        '--workers: must be an integer from 1 to 1024 (got "0")',
        'GATEHOUSE_LOG_LEVEL: must be one of: fatal, error, warn, info, debug, trace, silent (got "loud")',
        '--http-front: must be one of: strict, uws (got "nginx")',
        'GATEHOUSE_MAX_HEADER_BYTES: must be an integer from 1024 to 1048576 (got "12k")',
        'GATEHOUSE_MAX_BODY_BYTES: must be an integer from 0 to 9007199254740991 (got "-1")',
      ],
    });
  });
});

describe('parseListen', () => {
  it.each([
    ['0.0.0.0:8000', { host: '0.0.0.0', port: 8000 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['[::]:8443', { host: '::', port: 8443 }],
    ['[fe80::1]:1', { host: 'fe80::1', port: 1 }],
  ])('%s', (text, expected) => {
    expect(parseListen(text)).toEqual(expected);
  });

  it.each(['8000', ':8000', '::1:8000', 'host:', 'host:port', 'a:65536'])('rejects %s', (text) => {
    expect(typeof parseListen(text)).toBe('string');
  });
});
