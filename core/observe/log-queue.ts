/**
 * Kong's plugin queue (kong/tools/queue.lua, Kong 3.3+), for log plugins in a worker:
 * entries are queued in the log phase (never blocking the request), and sent in batches
 * off the request path.
 *
 *   enqueue ──► waiting entries ──► batch: max_batch_size entries, or fewer once
 *               max_coalescing_delay has passed since the batch's first entry
 *           ──► send (the plugin's sender) ──► failed: retried after initial_retry_delay,
 *               doubled each time up to max_retry_delay, until max_retry_time has passed
 *               since the first attempt; then the batch is dropped
 *
 * Full queue (max_entries waiting or in flight, or max_bytes of waiting text): the oldest
 * waiting entry is dropped for the new one, as Kong does; an entry larger than max_bytes
 * alone is refused. concurrency_limit 1 sends one batch at a time; -1 sends each batch
 * as soon as it is formed, without waiting for the ones in flight.
 *
 * Every loss is counted (PluginMetrics.failure: send_failed per failed attempt, and
 * dropped_queue_full / dropped_too_large / dropped_retries_exhausted per entry) and
 * reported through the plugin's rate-limited warn. Queues are per worker and keyed by name:
 * instances that log to the same place share one (Kong shares queues the same way), and a
 * queue outlives config reloads while a handler still holds it.
 */
import type { PluginEnv } from '../plugins/contract.js';

export interface QueueOptions {
  readonly maxBatchSize: number;
  readonly maxCoalescingDelayMs: number;
  readonly maxEntries: number;
  /** Bytes of waiting text at most; 0: no limit. */
  readonly maxBytes: number;
  /** -1: a failed batch is not retried. */
  readonly maxRetryTimeMs: number;
  readonly initialRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  /** 1: one batch in flight at a time; -1: no limit. */
  readonly concurrencyLimit: number;
}

/** An entry: JSON text, or encoded bytes (opentelemetry spans); its length counts toward max_bytes. */
export type QueueEntry = string | Uint8Array;

/** Sends one batch; rejects when it was not delivered (it is then retried). */
export type BatchSender<T extends QueueEntry = string> = (entries: readonly T[]) => Promise<void>;

/** Kong: when less than this remains of the coalescing delay, the batch goes now. */
const COALESCE_MIN_MS = 50;

export class LogQueue<T extends QueueEntry = string> {
  readonly name: string;
  /** The latest holder's plugin name, options, sender and env: Kong uses the latest configuration seen. */
  #plugin: string;
  #options: QueueOptions;
  #send: BatchSender<T>;
  #env: PluginEnv;
  #holders = 0;
  /** Waiting entries (FIFO, read from #head), their bytes. */
  #entries: T[] = [];
  #head = 0;
  #bytes = 0;
  /** Entries in batches being sent, and those batches. */
  #inFlight = 0;
  #batches = 0;
  #running = false;
  #draining = false;
  /** Wakes the coalescing wait when the batch filled up (or a drain began). */
  #wake: (() => void) | null = null;
  #full = false;

  constructor(name: string, plugin: string, options: QueueOptions, send: BatchSender<T>, env: PluginEnv) {
    this.name = name;
    this.#plugin = plugin;
    this.#options = options;
    this.#send = send;
    this.#env = env;
  }

  /** Waiting entries. */
  get waiting(): number {
    return this.#entries.length - this.#head;
  }

  get idle(): boolean {
    return this.waiting === 0 && this.#batches === 0;
  }

  hold(plugin: string, options: QueueOptions, send: BatchSender<T>, env: PluginEnv): void {
    this.#plugin = plugin;
    this.#options = options;
    this.#send = send;
    this.#env = env;
    this.#holders++;
    this.#draining = false;
  }

  /** A holder is retired. */
  release(): void {
    this.#holders--;
  }

  /** Handlers (of any config version) that still log through this queue. */
  get holders(): number {
    return this.#holders;
  }

  /** Queues one entry (synchronous, never throws, never waits). */
  enqueue(entry: T): void {
    const o = this.#options;
    if (o.maxBytes > 0 && entry.length > o.maxBytes) {
      this.#lost('dropped_too_large', 1, `entry of ${entry.length} bytes is longer than the queue's max_bytes (${o.maxBytes}); dropped`);
      return;
    }
    let dropped = 0;
    while (this.waiting + this.#inFlight >= o.maxEntries || (o.maxBytes > 0 && this.#bytes + entry.length > o.maxBytes)) {
      if (this.waiting === 0) {
        // Everything counted is in flight: the new entry is the one that cannot wait.
        this.#lost('dropped_queue_full', dropped + 1, `queue ${this.name} full, dropping entries until processing is successful again`);
        return;
      }
      this.#dropOldest();
      dropped++;
    }
    if (dropped > 0) this.#lost('dropped_queue_full', dropped, `queue ${this.name} full, dropping old entries until processing is successful again`);
    else this.#full = false;
    this.#entries.push(entry);
    this.#bytes += entry.length;
    if (this.waiting >= o.maxBatchSize) this.#wakeUp();
    if (!this.#running) {
      this.#running = true;
      void this.#run();
    }
  }

  /** Sends what is waiting without coalescing; resolves when idle or after timeoutMs. */
  async drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    this.#wakeUp();
    const deadline = Date.now() + timeoutMs;
    while (!this.idle && Date.now() < deadline) await sleep(5);
  }

  #dropOldest(): void {
    const entry = this.#entries[this.#head] as T;
    this.#bytes -= entry.length;
    this.#head++;
    this.#compact();
  }

  #take(n: number): T[] {
    const batch = this.#entries.slice(this.#head, this.#head + n);
    this.#head += batch.length;
    for (const e of batch) this.#bytes -= e.length;
    this.#compact();
    return batch;
  }

  /** Drops the consumed front of the array once it is most of it (no Array.shift per entry). */
  #compact(): void {
    if (this.#head === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }

  #lost(kind: string, count: number, message: string): void {
    this.#env.metrics.failure(this.#plugin, kind, count);
    if (kind !== 'dropped_queue_full' || !this.#full) this.#env.warn(this.#plugin, message);
    if (kind === 'dropped_queue_full') this.#full = true;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** The queue's one consumer loop (Kong's timer): runs while entries wait. */
  async #run(): Promise<void> {
    try {
      while (this.waiting > 0) {
        await this.#coalesce();
        const batch = this.#take(this.#options.maxBatchSize);
        if (batch.length === 0) continue;
        const sent = this.#deliver(batch);
        if (this.#options.concurrencyLimit === 1) await sent;
      }
    } finally {
      this.#running = false;
    }
  }

  /** Waits until a full batch waits, or the coalescing delay since its first entry has passed. */
  async #coalesce(): Promise<void> {
    const o = this.#options;
    const started = Date.now();
    for (;;) {
      if (this.waiting >= o.maxBatchSize || this.#draining) return;
      const left = o.maxCoalescingDelayMs - (Date.now() - started);
      if (left < COALESCE_MIN_MS) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#wake = null;
          resolve();
        }, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** One batch until it is sent or given up (Kong's exponential backoff). */
  async #deliver(batch: T[]): Promise<void> {
    this.#inFlight += batch.length;
    this.#batches++;
    const started = Date.now();
    let retry = 0;
    try {
      for (;;) {
        try {
          await this.#send(batch);
          this.#full = false;
          return;
        } catch (err) {
          const o = this.#options;
          this.#env.metrics.failure(this.#plugin, 'send_failed');
          const reason = err instanceof Error ? err.message : String(err);
          if (o.maxRetryTimeMs < 0 || Date.now() - started > o.maxRetryTimeMs || (this.#draining && retry > 0)) {
            this.#env.metrics.failure(this.#plugin, 'dropped_retries_exhausted', batch.length);
            this.#env.warn(this.#plugin, `could not send entries, giving up after ${retry} retries: ${reason}. ${batch.length} queue entries were lost`);
            return;
          }
          this.#env.warn(this.#plugin, `handler could not process entries: ${reason}`);
          await sleep(Math.min(o.maxRetryDelayMs, 2 ** retry * o.initialRetryDelayMs));
          retry++;
        }
      }
    } finally {
      this.#inFlight -= batch.length;
      this.#batches--;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** This worker's queues by name. */
const queues = new Map<string, LogQueue<QueueEntry>>();

/** The queue `name`, created on first use; the caller holds it until release(). */
export function acquireQueue<T extends QueueEntry = string>(name: string, plugin: string, options: QueueOptions, send: BatchSender<T>, env: PluginEnv): LogQueue<T> {
  // A name is used by one plugin kind only, so its entries are always of that plugin's type.
  let q = queues.get(name) as LogQueue<T> | undefined;
  if (q === undefined) {
    q = new LogQueue<T>(name, plugin, options, send, env);
    queues.set(name, q as unknown as LogQueue<QueueEntry>);
  }
  q.hold(plugin, options, send, env);
  return q;
}

/** A holder is retired: the queue sends what waits, then goes once no one holds it. */
export function releaseQueue<T extends QueueEntry>(q: LogQueue<T>): void {
  q.release();
  if (q.holders > 0) return;
  void q.drain(RETIRED_DRAIN_MS).then(() => {
    if (q.holders === 0 && queues.get(q.name) === (q as unknown as LogQueue<QueueEntry>)) queues.delete(q.name);
  });
}

/** How long a queue no handler holds any more keeps sending what it has. */
const RETIRED_DRAIN_MS = 60_000;

/** Other log sinks that hold lines (file-log's files): flushed with the queues at shutdown. */
const drainHooks = new Set<(timeoutMs: number) => Promise<void>>();

export function onLogDrain(hook: (timeoutMs: number) => Promise<void>): void {
  drainHooks.add(hook);
}

/**
 * Workers shutting down: every queue sends what it holds, no longer coalescing, and every
 * other sink writes what it holds, for at most timeoutMs in all (Kong's queues run to
 * empty when a worker exits).
 */
export async function drainLogQueues(timeoutMs: number): Promise<void> {
  await Promise.all([...[...queues.values()].map((q) => q.drain(timeoutMs)), ...[...drainHooks].map((hook) => hook(timeoutMs))]);
}
