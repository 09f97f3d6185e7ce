/**
 * `gatehouse start [--config FILE] [--workers N] [--proxy-listen HOST:PORT]
 *                  [--proxy-ssl-listen HOST:PORT] [--ssl-cert FILE --ssl-cert-key FILE]
 *                  [--admin-listen HOST:PORT] [--http-front strict|uws] [--demo]`
 *
 * Resolves settings (flags > GATEHOUSE_* env > defaults), starts the supervisor and the
 * admin listener, prints one `gatehouse ready` log line with the bound addresses, then
 * reloads on SIGHUP and drains on SIGTERM/SIGINT. `--demo` also starts the quickstart's
 * demo upstreams on loopback first.
 */
import { closeSync, openSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveSettings } from '../../core/config/settings.js';
import { ConfigRejectedError, Supervisor } from '../../core/supervisor/main.js';
import { startAdminServer } from '../../core/admin/server.js';
import { adminBindProblem } from '../../core/admin/auth.js';
import { createLogger } from '../../core/observe/log.js';
import { formatConfigErrors } from '../../core/supervisor/reload.js';
import { watchConfigFile } from '../../core/supervisor/watch.js';
import { readDefaultCertificate, resolveTlsPort } from '../../core/tls/settings.js';

export async function runStart(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      workers: { type: 'string', short: 'w' },
      'proxy-listen': { type: 'string' },
      'proxy-ssl-listen': { type: 'string' },
      'ssl-cert': { type: 'string' },
      'ssl-cert-key': { type: 'string' },
      'admin-listen': { type: 'string' },
      'http-front': { type: 'string' },
      'wasm-filters-path': { type: 'string' },
      'persist-config': { type: 'string' },
      'watch-config': { type: 'boolean' },
      demo: { type: 'boolean' },
    },
    strict: true,
  });
  const flags: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string') flags[k] = v;
  const resolved = resolveSettings(flags, process.env);
  if (!resolved.ok) {
    for (const e of resolved.errors) process.stderr.write(`gatehouse: ${e}\n`);
    return 2;
  }
  const settings = resolved.settings;
  const log = createLogger(settings.logLevel, { component: 'supervisor' });
  const adminProblem = adminBindProblem(settings.adminListen.host, settings.adminToken);
  if (adminProblem !== null) {
    process.stderr.write(`gatehouse: ${adminProblem}\n`);
    return 2;
  }
  if (settings.configPath === null) {
    process.stderr.write('gatehouse: no config: pass --config FILE or set GATEHOUSE_CONFIG\n');
    return 2;
  }

  const defaultCertificate = readDefaultCertificate(settings.sslCert, settings.sslCertKey);
  if (typeof defaultCertificate === 'string') {
    process.stderr.write(`gatehouse: ${defaultCertificate}\n`);
    return 2;
  }
  // Every worker binds the same TLS port, so an ephemeral one is picked here, once.
  const sslListen = { host: settings.proxySslListen.host, port: await resolveTlsPort(settings.proxySslListen.host, settings.proxySslListen.port) };

  const access = settings.accessLog;
  // Each worker opens the file itself; a path it cannot open is a start error here, once.
  if (access.kind === 'file') {
    try {
      closeSync(openSync(access.path, 'a'));
    } catch (err) {
      process.stderr.write(`gatehouse: cannot open the access log ${access.path}: ${err instanceof Error ? err.message : String(err)}\n`);
      return 2;
    }
  }

  let stopDemo: (() => Promise<void>) | null = null;
  if (values.demo === true) {
    const { startDemo } = await import('../quickstart/demo.js');
    const demo = await startDemo();
    stopDemo = demo.stop;
    log.info({ upstreams: demo.describe }, 'demo upstreams started');
  }

  const supervisor = new Supervisor(
    {
      configPath: settings.configPath,
      workers: settings.workers,
      proxyHost: settings.proxyListen.host,
      proxyPort: settings.proxyListen.port,
      wasmFiltersPath: settings.wasmFiltersPath,
      worker: {
        limits: settings.limits,
        logLevel: settings.logLevel,
        accessLog: access.kind === 'file' ? access.path : access.kind,
        httpFront: settings.httpFront,
        tls: { host: sslListen.host, port: sslListen.port, defaultCertificate },
      },
    },
    log,
  );
  try {
    await supervisor.start();
  } catch (err) {
    if (err instanceof ConfigRejectedError) {
      process.stderr.write(`gatehouse: ${settings.configPath}: config rejected\n`);
      for (const line of err.errors) process.stderr.write(`  ${line}\n`);
    } else {
      process.stderr.write(`gatehouse: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    await supervisor.stop().catch(() => undefined);
    if (stopDemo !== null) await stopDemo();
    return 1;
  }
  const adminOptions = { token: settings.adminToken, persistPath: settings.persistConfig, log };
  const admin = await startAdminServer(supervisor, settings.adminListen.host, settings.adminListen.port, adminOptions).catch((err: unknown) => {
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'admin listener failed to start');
    return null;
  });

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    admin?.server.close();
    await supervisor.stop();
    if (stopDemo !== null) await stopDemo();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  const reload = (trigger: string): void => {
    void supervisor.reload().then((result) => {
      if (!result.ok) for (const line of formatConfigErrors(result.errors)) log.error({ trigger }, line);
    });
  };
  process.on('SIGHUP', () => reload('SIGHUP'));
  if (values['watch-config'] === true || process.env['GATEHOUSE_WATCH_CONFIG'] === '1') {
    watchConfigFile(settings.configPath, () => reload('file changed'));
    log.info({ config: settings.configPath }, 'watching the config file for changes');
  }
  // Ready only once the signal handlers are in: a SIGHUP sent on seeing this line must
  // reload, not kill the process (Node's default action for an unhandled SIGHUP).
  log.info(
    {
      proxy: `${settings.proxyListen.host}:${supervisor.port}`,
      // The HTTPS listener runs once a certificate is configured (here or by a reload).
      proxy_ssl: defaultCertificate !== null || (supervisor.config?.snis ?? []).length > 0 ? `${sslListen.host}:${sslListen.port}` : null,
      admin: admin === null ? null : `${settings.adminListen.host}:${admin.port}`,
      workers: settings.workers,
      config: settings.configPath,
      config_hash: supervisor.configHash,
    },
    'gatehouse ready',
  );
  return new Promise<number>(() => undefined);
}
