/**
 * syslog, log phase: the entry's JSON with the priority of the response's class goes to
 * the worker's syslog sender (core/observe/syslog-sink.ts). The socket is /dev/log, as
 * for Kong's syslog(3); GATEHOUSE_SYSLOG_SOCKET replaces it for tests only (Kong has no
 * such option: the test suite runs a listener in a temp dir through it).
 */
import type { PluginEnv, PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { reportTo, sinkFor } from '../../observe/socket-sinks.js';
import { SyslogSink } from '../../observe/syslog-sink.js';
import { onLogDrain } from '../../observe/log-queue.js';
import type { CompiledSyslog } from './definition.js';

const DEFAULT_SOCKET = '/dev/log';

/** Per worker, per socket path: one sender. */
const sinks = new Map<string, SyslogSink>();
onLogDrain(async (timeoutMs) => {
  await Promise.all([...sinks.values()].map((s) => s.close(timeoutMs)));
});

class Syslog implements PluginHandler {
  readonly #c: CompiledSyslog;
  readonly #sink: SyslogSink;

  constructor(c: CompiledSyslog, env: PluginEnv) {
    this.#c = c;
    const path = process.env['GATEHOUSE_SYSLOG_SOCKET'] ?? DEFAULT_SOCKET;
    this.#sink = sinkFor(sinks, path, reportTo('syslog', env), (report) => new SyslogSink(path, report));
  }

  log(req: PluginRequest): void {
    const c = this.#c;
    const status = req.status;
    const pri = status >= 500 ? c.serverErrors : status >= 400 ? c.clientErrors : c.successful;
    if (pri >= 0) this.#sink.send(pri, req.serializeJson());
  }
}

export const handler: PluginHandlerModule<CompiledSyslog, undefined> = {
  name: 'syslog',
  create: (config, env) => new Syslog(config, env),
};
