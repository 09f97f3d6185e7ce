/**
 * Collects the workers' metric snapshots for a scrape of the admin `/metrics`: asks every
 * live worker (bounded wait), keeps the last snapshot of each worker, and keeps the final
 * snapshot of a worker that died, so totals never go backwards. A worker that does not
 * answer in time is counted with its previous snapshot.
 */
import type { Worker } from 'node:worker_threads';
import type { MetricsSnapshot } from '../observe/metrics.js';
import type { ToWorker } from '../worker/types.js';

export interface ScrapeTarget {
  index: number;
  worker: Worker;
}

export class MetricsCollector {
  #id = 0;
  readonly #pending = new Map<string, () => void>();
  readonly #last = new Map<Worker, MetricsSnapshot>();
  readonly #retired: MetricsSnapshot[] = [];

  /** A worker sent a snapshot (answering a scrape, or its last one before exiting). */
  received(index: number, worker: Worker, id: number, snapshot: MetricsSnapshot): void {
    this.#last.set(worker, snapshot);
    const key = `${index}:${id}`;
    this.#pending.get(key)?.();
    this.#pending.delete(key);
  }

  /** A worker exited: its last snapshot stays in the totals. */
  exited(worker: Worker): void {
    const last = this.#last.get(worker);
    if (last !== undefined) this.#retired.push(last);
    this.#last.delete(worker);
  }

  /** Asks every target for a fresh snapshot and returns all snapshots to merge. */
  async scrape(targets: readonly ScrapeTarget[], timeoutMs: number): Promise<MetricsSnapshot[]> {
    const id = ++this.#id;
    await Promise.all(
      targets.map(
        ({ index, worker }) =>
          new Promise<void>((resolve) => {
            const key = `${index}:${id}`;
            const timer = setTimeout(() => {
              this.#pending.delete(key);
              resolve();
            }, timeoutMs);
            this.#pending.set(key, () => {
              clearTimeout(timer);
              resolve();
            });
            worker.postMessage({ type: 'metrics', id } satisfies ToWorker);
          }),
      ),
    );
    return [...this.#retired, ...this.#last.values()];
  }
}
