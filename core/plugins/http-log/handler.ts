/**
 * http-log, log phase: the request's entry (JSON, built once per request) goes on the
 * queue; the queue sends batches off the request path (core/observe/http-export.ts: an
 * undici Pool per log server): one body per entry when max_batch_size is 1, else a JSON
 * array, as Kong. A status below 300 is a delivery; anything else, a timeout or a refused
 * connection is a failure the queue retries with backoff and counts.
 */
import type { PluginEnv, PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { acquireQueue, releaseQueue, type LogQueue } from '../../observe/log-queue.js';
import { exportBatch, exportTarget, type ExportRequest, type ExportTarget } from '../../observe/http-export.js';
import type { CompiledHttpLog } from './definition.js';

const accepted = (status: number): boolean => status < 300;

class HttpLog implements PluginHandler {
  readonly #c: CompiledHttpLog;
  readonly #target: ExportTarget;
  readonly #queue: LogQueue;

  constructor(c: CompiledHttpLog, env: PluginEnv) {
    this.#c = c;
    // Kong's `timeout` bounds each of connect, send and read.
    this.#target = exportTarget(c.origin, { connectMs: c.timeoutMs, readMs: c.timeoutMs, totalMs: c.timeoutMs * 3 }, c.keepaliveMs, c.queue.concurrencyLimit);
    this.#queue = acquireQueue(c.queueName, 'http-log', c.queue, (entries) => this.#send(entries), env);
  }

  log(req: PluginRequest): void {
    this.#queue.enqueue(req.serializeJson());
  }

  close(): void {
    releaseQueue(this.#queue);
  }

  #send(entries: readonly string[]): Promise<void> {
    const c = this.#c;
    const body = c.queue.maxBatchSize === 1 ? (entries[0] as string) : `[${entries.join(',')}]`;
    const request: ExportRequest = { path: c.path, method: c.method as ExportRequest['method'], headers: c.headers, body };
    return exportBatch(this.#target, request, accepted);
  }
}

export const handler: PluginHandlerModule<CompiledHttpLog, undefined> = {
  name: 'http-log',
  create: (config, env) => new HttpLog(config, env),
};
