/**
 * An asynchronous line writer for access logs, safe to share one fd between threads.
 *
 * Several worker threads write to the same stdout. A write(2) of at most PIPE_BUF
 * (4096) bytes to a pipe is atomic, and O_APPEND writes to a file do not interleave
 * within a write, so the sink only ever writes whole lines, batched up to 4096 bytes.
 * Writes happen off the request path (one fs.write in flight at a time); when the
 * destination cannot keep up, lines beyond MAX_PENDING are dropped and counted rather
 * than growing memory or blocking the event loop.
 */
import { closeSync, openSync, write } from 'node:fs';

const BATCH_BYTES = 4096;
const MAX_PENDING = 50_000;

export class LineSink {
  readonly #fd: number;
  readonly #ownsFd: boolean;
  #pending: string[] = [];
  #writing = false;
  #scheduled = false;
  dropped = 0;
  readonly #flush: () => void;

  constructor(destination: 'stdout' | string) {
    if (destination === 'stdout') {
      this.#fd = 1;
      this.#ownsFd = false;
    } else {
      this.#fd = openSync(destination, 'a');
      this.#ownsFd = true;
    }
    this.#flush = () => this.#drain();
  }

  /** `line` must end with a newline. */
  write(line: string): boolean {
    if (this.#pending.length >= MAX_PENDING) {
      this.dropped++;
      return true;
    }
    this.#pending.push(line);
    if (!this.#writing && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
    return true;
  }

  #drain(): void {
    this.#scheduled = false;
    if (this.#writing || this.#pending.length === 0) return;
    let batch = '';
    let taken = 0;
    const pending = this.#pending;
    while (taken < pending.length) {
      const line = pending[taken] as string;
      if (batch.length > 0 && batch.length + line.length > BATCH_BYTES) break;
      batch += line;
      taken++;
    }
    this.#pending = taken === pending.length ? [] : pending.slice(taken);
    this.#writing = true;
    write(this.#fd, batch, (err) => {
      this.#writing = false;
      if (err) this.dropped += taken;
      if (this.#pending.length > 0) this.#drain();
    });
  }

  /** Waits (bounded) for pending lines to be written; used at shutdown. */
  async flush(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.#pending.length > 0 || this.#writing) && Date.now() < deadline) {
      if (!this.#writing) this.#drain();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    if (this.#ownsFd) closeSync(this.#fd);
  }
}
