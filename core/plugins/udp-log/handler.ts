/**
 * udp-log, log phase: the entry's JSON (no newline, as Kong sends it) as one datagram on
 * the worker's socket to the server (core/observe/socket-sinks.ts UdpSink). A send that
 * fails (a refused port, a datagram over 64 KiB) is counted, never felt by the request.
 */
import type { PluginEnv, PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { reportTo, sinkFor, UdpSink } from '../../observe/socket-sinks.js';
import type { CompiledUdpLog } from './definition.js';

/** Per worker, per destination: one socket shared by every instance. */
const sinks = new Map<string, UdpSink>();

class UdpLog implements PluginHandler {
  readonly #sink: UdpSink;

  constructor(c: CompiledUdpLog, env: PluginEnv) {
    this.#sink = sinkFor(sinks, `${c.host}:${c.port}`, reportTo('udp-log', env), (report) => new UdpSink(c.host, c.port, report));
  }

  log(req: PluginRequest): void {
    this.#sink.send(req.serializeJson());
  }
}

export const handler: PluginHandlerModule<CompiledUdpLog, undefined> = {
  name: 'udp-log',
  create: (config, env) => new UdpLog(config, env),
};
