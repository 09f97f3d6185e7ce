/**
 * tcp-log, log phase: the entry's JSON line (Kong appends "\n") goes to the worker's
 * connection to the server (core/observe/socket-sinks.ts TcpSink): written without
 * waiting; a server that is down or slow loses entries (counted), never a request.
 */
import type { PluginEnv, PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { reportTo, sinkFor, TcpSink } from '../../observe/socket-sinks.js';
import type { CompiledTcpLog } from './definition.js';

/** Per worker, per destination and options: one connection shared by every instance. */
const sinks = new Map<string, TcpSink>();

class TcpLog implements PluginHandler {
  readonly #sink: TcpSink;

  constructor(c: CompiledTcpLog, env: PluginEnv) {
    this.#sink = sinkFor(sinks, JSON.stringify(c), reportTo('tcp-log', env), (report) => new TcpSink(c, report));
  }

  log(req: PluginRequest): void {
    this.#sink.send(`${req.serializeJson()}\n`);
  }
}

export const handler: PluginHandlerModule<CompiledTcpLog, undefined> = {
  name: 'tcp-log',
  create: (config, env) => new TcpLog(config, env),
};
