/**
 * file-log, log phase: the entry's JSON line goes to a FileLineSink (core/observe/file-line-sink.ts)
 * that appends batches of whole lines to the file asynchronously: the event loop never
 * waits on the disk, and workers appending to one file never interleave lines (O_APPEND,
 * one write(2) per batch of whole lines). One sink per file (and reopen mode) per worker,
 * shared by every instance and config version that writes there, as Kong caches one fd
 * per path. A file that cannot be opened or written loses those lines: counted
 * (dropped_write_failed) and reported.
 */
import type { PluginEnv, PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { FileLineSink } from '../../observe/file-line-sink.js';
import { onLogDrain } from '../../observe/log-queue.js';
import type { CompiledFileLog } from './definition.js';

/** Bytes per write(2): whole lines, and large enough that a busy worker writes rarely. */
const FILE_BATCH_BYTES = 64 * 1024;

interface SharedSink {
  readonly key: string;
  readonly sink: FileLineSink;
  holders: number;
  /** The latest holder's env: where failures are reported. */
  env: PluginEnv;
}

const sinks = new Map<string, SharedSink>();
onLogDrain(async (timeoutMs) => {
  await Promise.all([...sinks.values()].map((s) => s.sink.flush(timeoutMs)));
});

function acquire(c: CompiledFileLog, env: PluginEnv): SharedSink {
  const key = `${c.reopen ? 'reopen' : 'keep'}\u0000${c.path}`;
  let shared = sinks.get(key);
  if (shared === undefined) {
    const entry: SharedSink = {
      key,
      sink: new FileLineSink(c.path, {
        lazy: true,
        reopen: c.reopen,
        batchBytes: FILE_BATCH_BYTES,
        onError: (err, lines) => {
          entry.env.metrics.failure('file-log', 'dropped_write_failed', lines);
          entry.env.warn('file-log', `failed to write ${lines} line(s) to ${c.path}: ${err.message}`);
        },
      }),
      holders: 0,
      env,
    };
    shared = entry;
    sinks.set(key, shared);
  }
  shared.holders++;
  shared.env = env;
  return shared;
}

class FileLog implements PluginHandler {
  readonly #shared: SharedSink;

  constructor(c: CompiledFileLog, env: PluginEnv) {
    this.#shared = acquire(c, env);
  }

  log(req: PluginRequest): void {
    this.#shared.sink.write(`${req.serializeJson()}\n`);
  }

  close(): void {
    const shared = this.#shared;
    shared.holders--;
    if (shared.holders > 0 || sinks.get(shared.key) !== shared) return;
    // No config version writes here any more: write what waits, then close the file.
    sinks.delete(shared.key);
    void shared.sink.flush();
  }
}

export const handler: PluginHandlerModule<CompiledFileLog, undefined> = {
  name: 'file-log',
  create: (config, env) => new FileLog(config, env),
};
