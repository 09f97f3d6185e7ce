/**
 * file-log's line writer: an asynchronous line writer, safe to share one file between
 * threads and processes, that opens lazily and re-opens for rotation (the access log has
 * its own, line-sink.ts, tuned for the hot path: pipes through a libuv stream, lines copied
 * into batch Buffers at once).
 *
 * Lines are never interleaved: the sink only ever writes whole lines, batched into one
 * write(2) of at most `batchBytes`. To a pipe (stdout) a write of at most PIPE_BUF (4096)
 * bytes is atomic; a file is opened O_APPEND, and Linux appends one write(2) to a regular
 * file as a whole (the inode is locked for the write), so workers appending to one file
 * each write whole batches. Writes happen off the request path (one fs.write in flight
 * at a time); when the destination cannot keep up, lines beyond `maxPending` are dropped
 * and counted rather than growing memory or blocking the event loop.
 *
 * A file opened `lazy` is opened (and, with `reopen`, re-opened before every batch, for
 * log rotation) asynchronously by the writer itself; a failure to open or write drops
 * that batch and is reported through `onError`, and the next batch tries again.
 */
import { close, closeSync, open, openSync, write } from 'node:fs';

const PIPE_BATCH_BYTES = 4096;
const MAX_PENDING = 50_000;
/** Kong's file-log mode: rw-r--r--. */
const FILE_MODE = 0o644;

export interface FileLineSinkOptions {
  /** Open the file on the first write, asynchronously (default: at construction, throwing on failure). */
  readonly lazy?: boolean;
  /** Close and re-open the file around every batch (log rotation). */
  readonly reopen?: boolean;
  /** Bytes per write (default 4096: atomic on a pipe). */
  readonly batchBytes?: number;
  readonly maxPending?: number;
  /** A batch could not be written (`lines` lost) or lines were dropped because too many waited. */
  readonly onError?: (err: Error, lines: number) => void;
}

export class FileLineSink {
  readonly #path: string | null;
  #fd: number;
  readonly #options: FileLineSinkOptions;
  readonly #batchBytes: number;
  readonly #maxPending: number;
  #pending: string[] = [];
  #writing = false;
  #scheduled = false;
  #closed = false;
  dropped = 0;
  readonly #flush: () => void;

  constructor(destination: 'stdout' | string, options: FileLineSinkOptions = {}) {
    this.#options = options;
    this.#batchBytes = options.batchBytes ?? PIPE_BATCH_BYTES;
    this.#maxPending = options.maxPending ?? MAX_PENDING;
    if (destination === 'stdout') {
      this.#path = null;
      this.#fd = 1;
    } else {
      this.#path = destination;
      this.#fd = options.lazy === true ? -1 : openSync(destination, 'a', FILE_MODE);
    }
    this.#flush = () => this.#drain();
  }

  /** `line` must end with a newline. */
  write(line: string): boolean {
    if (this.#pending.length >= this.#maxPending) {
      this.dropped++;
      this.#options.onError?.(new Error(`more than ${this.#maxPending} lines waiting to be written`), 1);
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
      if (batch.length > 0 && batch.length + line.length > this.#batchBytes) break;
      batch += line;
      taken++;
    }
    this.#pending = taken === pending.length ? [] : pending.slice(taken);
    this.#writing = true;
    if (this.#fd >= 0) this.#write(batch, taken);
    else {
      open(this.#path as string, 'a', FILE_MODE, (err, fd) => {
        if (err) return this.#written(err, taken);
        this.#fd = fd;
        this.#write(batch, taken);
      });
    }
  }

  #write(batch: string, lines: number): void {
    write(this.#fd, batch, (err) => {
      if (this.#options.reopen === true && this.#path !== null) {
        const fd = this.#fd;
        this.#fd = -1;
        close(fd, () => this.#written(err, lines));
        return;
      }
      this.#written(err, lines);
    });
  }

  #written(err: Error | null, lines: number): void {
    this.#writing = false;
    if (err) {
      this.dropped += lines;
      this.#options.onError?.(err, lines);
    }
    if (this.#pending.length > 0 && !this.#closed) this.#drain();
  }

  /** Waits (bounded) for pending lines to be written, then closes the file. */
  async flush(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.#pending.length > 0 || this.#writing) && Date.now() < deadline) {
      if (!this.#writing) this.#drain();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    this.#closed = true;
    if (this.#path !== null && this.#fd >= 0) {
      closeSync(this.#fd);
      this.#fd = -1;
    }
  }
}
