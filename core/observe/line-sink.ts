/**
 * An asynchronous line writer for access logs, safe to share one fd between threads.
 *
 *   write(line) ──copy──> current batch ──(full)──> queue of batches ──> one write in flight
 *                         (a Buffer)  └──(FLUSH_MS timer)──┘
 *
 * Whole lines only. Several worker threads write to the same stdout: a write(2) of at most
 * PIPE_BUF (4096) bytes to a pipe is atomic, so to a pipe, a tty or a socket a batch is at
 * most 4096 bytes of whole lines (a longer line goes alone, and may then interleave with
 * another worker's). Writes to a regular file do not interleave within one write (each
 * worker opens its path with O_APPEND; Linux serialises writes to a file), so there a batch
 * is up to FILE_BATCH_BYTES: fewer system calls per line.
 *
 * Off the request path: write() only copies the line into the current batch, a Buffer
 * (latin1: the lines are ASCII) taken from a small free list; batches are written from a
 * timer, an immediate or the previous write's callback, one write in flight at a time. A
 * partial batch waits at most FLUSH_MS for more lines. Why copy at once: a line is a rope
 * of ~30 pieces, cache-hot when it is made. Kept as strings until the batch is written
 * (`batch += line`, then fs.write(batch)), the lines cost ~1.2 µs more each on one pinned
 * core (the rope flattened cold, then copied again for the libuv thread), and later as a
 * Buffer.write of the whole batch, ~1.3 µs per request in the gateway's profile
 * (bench/route-profile.ts --scenario small-get-log); the copy per line is what remains.
 * How a batch is written:
 *   - a pipe or a socket (stdout under a container runtime or a process manager): through
 *     a libuv stream on this thread (net.Socket over the fd): the write(2) happens at once,
 *     and a full pipe is waited for with epoll. Measured on the bench VM (one pinned
 *     core, ~20k requests/s, shared and noisy): with fs.write, the hop to a libuv thread
 *     and back for every 4 KiB (~11 lines) added ~7 µs of CPU per request (~15%); through
 *     the stream, the write costs ~1.2 µs per request in the gateway's profile
 *     (bench/route-profile.ts --scenario small-get-log-stdout, reader pinned apart).
 *   - a regular file or a tty: fs.write in a libuv thread (a disk or a stopped terminal
 *     may block a write; the event loop must not).
 *
 * Never blocking, never growing without bound: when the destination cannot keep up (a
 * slow disk, a pipe nobody reads) the lines beyond maxPendingBytes are dropped and counted
 * in `dropped`, and `onDrop` hears of it at once and then at most every DROP_REPORT_MS.
 * A full non-blocking tty (EAGAIN) is retried every RETRY_MS with the same batch.
 *
 * Lines must be ASCII and end with "\n" (core/observe/access-line.ts makes them so): a
 * batch's byte count is its length.
 */
import { closeSync, fstatSync, openSync, write } from 'node:fs';
import { Socket } from 'node:net';

/** POSIX PIPE_BUF on Linux: the largest write to a pipe that is atomic. */
export const PIPE_BATCH_BYTES = 4096;
/** A batch to a regular file: 16 pipe batches in one system call. */
export const FILE_BATCH_BYTES = 64 * 1024;
/**
 * Lines held per worker before dropping: about 1.5 s of lines at 15k requests/s of
 * ~360-byte lines. A disk that stalls longer than that costs lines, not memory.
 */
export const MAX_PENDING_BYTES = 8 * 1024 * 1024;
/** How long a partial batch may wait for more lines. */
const FLUSH_MS = 100;
/** How soon a full non-blocking tty is tried again. */
const RETRY_MS = 5;
/** At most one drop report per this period. */
const DROP_REPORT_MS = 10_000;
/**
 * Batches a stream may write back to back (each completing at once) before the sink yields
 * to the event loop with an immediate: a large backlog never holds the loop for long.
 */
const STREAM_BURST = 16;

export interface LineSinkOptions {
  /** Largest batch (default: PIPE_BATCH_BYTES, or FILE_BATCH_BYTES for a regular file). */
  batchBytes?: number;
  maxPendingBytes?: number;
  /** Lines were dropped: `count` since the last report, `total` since the start, and why. */
  onDrop?: (count: number, total: number, reason: string) => void;
  /** Write a pipe or socket with fs.write like a file (tests of the libuv-thread path). */
  noStream?: boolean;
}

/** Free batch Buffers kept for reuse: a steady flow needs two or three. */
const FREE_BATCHES = 4;

type FdKind = 'file' | 'stream' | 'other';

/** Lines copied into `buf[0, end)`; `buf[0, start)` is already written. */
class Batch {
  readonly buf: Buffer;
  start = 0;
  end = 0;
  lines = 0;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
}

function fdKind(fd: number): FdKind {
  try {
    const stat = fstatSync(fd);
    return stat.isFile() ? 'file' : stat.isFIFO() || stat.isSocket() ? 'stream' : 'other';
  } catch {
    return 'other';
  }
}

export class LineSink {
  readonly #fd: number;
  readonly #ownsFd: boolean;
  readonly #batchBytes: number;
  readonly #maxPending: number;
  readonly #onDrop: LineSinkOptions['onDrop'];
  /** The libuv stream over a pipe or socket fd, else null (fs.write). */
  readonly #stream: Socket | null;
  /** The batch lines are copied into (null until the first line after a seal). */
  #current: Batch | null = null;
  /** Full batches waiting, oldest first; the first may be in flight. */
  readonly #batches: Batch[] = [];
  /** Spent batch Buffers, for the next batches. */
  readonly #free: Buffer[] = [];
  /** Bytes of every line held: current, queued and in flight. */
  #pendingBytes = 0;
  /** A write of the first batch is in flight, or waits for its retry. */
  #writing = false;
  #immediate = false;
  #timerArmed: boolean;
  /** Batches a stream wrote since the sink last yielded to the event loop. */
  #burst = 0;
  /** The FLUSH_MS timer and the RETRY_MS timer: made once, re-armed with refresh(). */
  readonly #timer: NodeJS.Timeout;
  #retry: NodeJS.Timeout | null = null;
  /** A write error no retry can mend (the reader of a pipe is gone): every line is dropped. */
  #broken: string | null = null;
  #closed = false;
  /** Lines dropped since the start. */
  dropped = 0;
  /** Lines written since the start. */
  written = 0;
  /** Writes started since the start (partial writes and retries included). */
  writes = 0;
  #reported = 0;
  #lastReport = 0;
  #reportTimer: NodeJS.Timeout | null = null;
  #dropReason = '';
  readonly #onTimer: () => void;
  readonly #onImmediate: () => void;
  readonly #onRetry: () => void;
  readonly #report: () => void;
  readonly #written: (err: NodeJS.ErrnoException | null, bytes: number) => void;
  readonly #streamWritten: (err?: Error | null) => void;

  /** `destination`: 'stdout' or a file path (opened for appending). */
  static open(destination: string, options: LineSinkOptions = {}): LineSink {
    if (destination === 'stdout') return new LineSink(1, false, options);
    return new LineSink(openSync(destination, 'a'), true, options);
  }

  constructor(fd: number, ownsFd: boolean, options: LineSinkOptions = {}) {
    this.#fd = fd;
    this.#ownsFd = ownsFd;
    const kind = fdKind(fd);
    this.#batchBytes = options.batchBytes ?? (kind === 'file' ? FILE_BATCH_BYTES : PIPE_BATCH_BYTES);
    this.#maxPending = options.maxPendingBytes ?? MAX_PENDING_BYTES;
    this.#onDrop = options.onDrop;
    this.#onTimer = () => {
      this.#timerArmed = false;
      this.#start();
    };
    this.#onImmediate = () => {
      this.#immediate = false;
      this.#start();
    };
    this.#onRetry = () => {
      this.#writing = false;
      this.#next();
    };
    this.#report = () => this.#reportDrops();
    this.#written = (err, bytes) => this.#onWritten(err, bytes);
    this.#streamWritten = (err) => this.#onStreamWritten(err);
    this.#stream = kind === 'stream' && options.noStream !== true ? this.#openStream(fd) : null;
    // Armed once here (a cleared timer cannot be refreshed); it fires once with nothing to do.
    this.#timer = setTimeout(this.#onTimer, FLUSH_MS);
    this.#timer.unref();
    this.#timerArmed = true;
  }

  /**
   * A write-only libuv stream over the fd. It makes the fd non-blocking (the main thread's
   * process.stdout does the same to a piped stdout); libuv never closes fds 0-2, so a
   * worker that exits leaves the process's stdout open.
   */
  #openStream(fd: number): Socket {
    const stream = new Socket({ fd, readable: false, writable: true });
    stream.unref();
    stream.on('error', (err: NodeJS.ErrnoException) => {
      this.#broken ??= `write failed: ${err.code ?? err.message}`;
    });
    return stream;
  }

  get batchBytes(): number {
    return this.#batchBytes;
  }

  /** Bytes held (waiting or in flight). */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Queues one line (ASCII, ending with "\n"); drops it when too much is pending. */
  write(line: string): void {
    const n = line.length;
    if (this.#pendingBytes + n > this.#maxPending || this.#closed || this.#broken !== null) {
      this.#drop(1, this.#broken ?? (this.#closed ? 'the access log is closed' : 'the destination cannot keep up'));
      return;
    }
    this.#pendingBytes += n;
    let batch = this.#current;
    if (batch !== null && batch.end + n > batch.buf.length) {
      this.#seal(batch);
      batch = null;
      if (!this.#writing && !this.#immediate) {
        this.#immediate = true;
        setImmediate(this.#onImmediate);
      }
    }
    if (batch === null) batch = this.#current = this.#newBatch(n);
    batch.end += batch.buf.write(line, batch.end, 'latin1');
    batch.lines++;
    if (!this.#timerArmed && !this.#writing) {
      this.#timerArmed = true;
      this.#timer.refresh();
    }
  }

  /** A batch for lines, the first `bytes` long: a free Buffer, or a line longer than a batch's own. */
  #newBatch(bytes: number): Batch {
    if (bytes > this.#batchBytes) return new Batch(Buffer.allocUnsafeSlow(bytes));
    return new Batch(this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#batchBytes));
  }

  /** Moves the current batch into the queue. */
  #seal(batch: Batch): void {
    this.#batches.push(batch);
    this.#current = null;
  }

  /** From the timer or an immediate: writes the oldest batch, sealing a partial one if that is all. */
  #start(): void {
    this.#burst = 0;
    if (this.#writing) return;
    if (this.#batches.length === 0 && this.#current !== null) this.#seal(this.#current);
    this.#next();
  }

  /** Starts writing the oldest batch, if any. */
  #next(): void {
    const batch = this.#batches[0];
    if (batch === undefined) return;
    this.#writing = true;
    this.writes++;
    const stream = this.#stream;
    if (stream !== null && this.#broken !== null) {
      this.#onWritten(null, -1);
      return;
    }
    if (stream === null) write(this.#fd, batch.buf, batch.start, batch.end - batch.start, null, this.#written);
    else stream.write(batch.buf.subarray(batch.start, batch.end), this.#streamWritten);
  }

  #onStreamWritten(err?: Error | null): void {
    if (err != null) this.#broken ??= `write failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`;
    const batch = this.#batches[0] as Batch;
    this.#onWritten(null, this.#broken === null ? batch.end - batch.start : -1);
  }

  /** `bytes` -1: the batch is lost (a broken stream). */
  #onWritten(err: NodeJS.ErrnoException | null, bytes: number): void {
    this.#writing = false;
    const batch = this.#batches[0] as Batch;
    const left = batch.end - batch.start;
    if (err !== null && err.code === 'EAGAIN') {
      // A full non-blocking tty: nothing was written; the same batch again shortly.
      this.#writing = true;
      if (this.#retry === null) {
        this.#retry = setTimeout(this.#onRetry, RETRY_MS);
        this.#retry.unref();
      } else this.#retry.refresh();
      return;
    }
    if (err !== null || bytes < 0) {
      this.#pendingBytes -= left;
      this.#drop(batch.lines, err === null ? (this.#broken ?? 'write failed') : `write failed: ${err.code ?? err.message}`);
      this.#shift();
    } else if (bytes < left) {
      // A partial write (a regular file, or a line longer than PIPE_BUF): the rest next.
      this.#pendingBytes -= bytes;
      batch.start += bytes;
      this.#next();
      return;
    } else {
      this.#pendingBytes -= left;
      this.written += batch.lines;
      this.#shift();
    }
    if (this.#batches.length > 0) {
      if (this.#stream === null || ++this.#burst < STREAM_BURST) this.#next();
      else if (!this.#immediate) {
        this.#immediate = true;
        setImmediate(this.#onImmediate);
      }
    } else if (this.#current !== null && !this.#timerArmed) {
      this.#timerArmed = true;
      this.#timer.refresh();
    }
  }

  /** Done with the oldest batch: its Buffer goes back to the free list (a few are kept). */
  #shift(): void {
    const batch = this.#batches.shift();
    if (batch !== undefined && batch.buf.length === this.#batchBytes && this.#free.length < FREE_BATCHES) this.#free.push(batch.buf);
  }

  #drop(count: number, reason: string): void {
    this.dropped += count;
    this.#dropReason = reason;
    if (this.#reportTimer !== null || this.#onDrop === undefined) return;
    const wait = Math.max(0, this.#lastReport + DROP_REPORT_MS - Date.now());
    this.#reportTimer = setTimeout(this.#report, wait);
    this.#reportTimer.unref();
  }

  #reportDrops(): void {
    this.#reportTimer = null;
    this.#lastReport = Date.now();
    const count = this.dropped - this.#reported;
    this.#reported = this.dropped;
    if (count > 0) this.#onDrop?.(count, this.dropped, this.#dropReason);
  }

  /**
   * Writes what is pending, waiting at most `timeoutMs`, reports drops, and closes the
   * file it opened. Lines written after this are dropped. Used at shutdown.
   */
  async flush(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    if (this.#current !== null) this.#seal(this.#current);
    this.#closed = true;
    while ((this.#batches.length > 0 || this.#writing) && Date.now() < deadline) {
      if (!this.#writing) this.#next();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    clearTimeout(this.#timer);
    if (this.#retry !== null) clearTimeout(this.#retry);
    if (this.#reportTimer !== null) clearTimeout(this.#reportTimer);
    this.#reportDrops();
    if (this.#stream !== null) {
      // A stream closes its fd (never 0-2) when destroyed; one stuck on a full pipe is left to the exit.
      if (!this.#writing && this.#ownsFd) this.#stream.destroy();
    } else if (this.#ownsFd && !this.#writing) closeSync(this.#fd);
  }
}
