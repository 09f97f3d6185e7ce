/**
 * Metrics for wasm filters, per worker: what guests define through
 * `proxy_define_metric` (counter, gauge, histogram) and the host's own fault counters.
 * The admin `/metrics` endpoint renders `prometheus()`; merging across workers is the
 * observe layer's job.
 */
import { MetricType, Status } from './abi/constants.js';

interface MetricSlot {
  readonly name: string;
  readonly type: MetricType;
  value: number;
  /** Histogram only: number of samples and their sum. */
  count: number;
  sum: number;
}

export interface MetricSnapshot {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly value: number;
  readonly count: number;
  readonly sum: number;
}

const TYPE_NAMES = ['counter', 'gauge', 'histogram'] as const;

function promName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/^([0-9])/, '_$1');
}

export class WasmMetrics {
  readonly #slots: MetricSlot[] = [];
  readonly #byName = new Map<string, number>();
  readonly #faults = new Map<string, number>();
  readonly #maxMetrics: number;

  constructor(maxMetrics = 1024) {
    this.#maxMetrics = maxMetrics;
  }

  /** Define (or look up) a metric; ids start at 1. Returns 0 when the type is unknown or the table is full. */
  define(type: number, name: string): number {
    if (type !== MetricType.Counter && type !== MetricType.Gauge && type !== MetricType.Histogram) return 0;
    const key = `${type}:${name}`;
    const existing = this.#byName.get(key);
    if (existing !== undefined) return existing;
    if (this.#slots.length >= this.#maxMetrics) return 0;
    this.#slots.push({ name, type, value: 0, count: 0, sum: 0 });
    const id = this.#slots.length;
    this.#byName.set(key, id);
    return id;
  }

  increment(id: number, delta: number): Status {
    const slot = this.#slots[id - 1];
    if (slot === undefined) return Status.NotFound;
    if (slot.type === MetricType.Histogram) return Status.BadArgument;
    if (slot.type === MetricType.Counter && delta < 0) return Status.BadArgument;
    slot.value += delta;
    return Status.Ok;
  }

  record(id: number, value: number): Status {
    const slot = this.#slots[id - 1];
    if (slot === undefined) return Status.NotFound;
    if (slot.type === MetricType.Histogram) {
      slot.count++;
      slot.sum += value;
    } else {
      slot.value = value;
    }
    return Status.Ok;
  }

  /** Current value, or undefined for an unknown id; histograms report their sample count. */
  get(id: number): number | undefined {
    const slot = this.#slots[id - 1];
    if (slot === undefined) return undefined;
    return slot.type === MetricType.Histogram ? slot.count : slot.value;
  }

  /** Value of a guest metric by name (any type), for tests and the admin API. */
  valueOf(name: string): number | undefined {
    for (const type of [MetricType.Counter, MetricType.Gauge, MetricType.Histogram]) {
      const id = this.#byName.get(`${type}:${name}`);
      if (id !== undefined) return this.get(id);
    }
    return undefined;
  }

  recordFault(filter: string, kind: string): void {
    const key = `${filter}\u0000${kind}`;
    this.#faults.set(key, (this.#faults.get(key) ?? 0) + 1);
  }

  /** Faults counted for a filter, of one kind or all kinds. */
  faultCount(filter: string, kind?: string): number {
    let n = 0;
    for (const [key, count] of this.#faults) {
      const [f, k] = key.split('\u0000');
      if (f === filter && (kind === undefined || k === kind)) n += count;
    }
    return n;
  }

  /** Fault counters as [filter, kind, count] rows (merged across workers by the supervisor). */
  faults(): [string, string, number][] {
    const rows: [string, string, number][] = [];
    for (const [key, count] of this.#faults) {
      const [filter = '', kind = ''] = key.split('\u0000');
      rows.push([filter, kind, count]);
    }
    return rows;
  }

  snapshot(): MetricSnapshot[] {
    return this.#slots.map((s) => ({ name: s.name, type: TYPE_NAMES[s.type], value: s.value, count: s.count, sum: s.sum }));
  }

  /** Prometheus text exposition of guest metrics and fault counters. */
  prometheus(): string {
    const lines: string[] = [];
    for (const s of this.#slots) {
      const name = promName(s.name);
      lines.push(`# TYPE ${name} ${s.type === MetricType.Histogram ? 'summary' : TYPE_NAMES[s.type]}`);
      if (s.type === MetricType.Histogram) {
        lines.push(`${name}_count ${s.count}`, `${name}_sum ${s.sum}`);
      } else {
        lines.push(`${name} ${s.value}`);
      }
    }
    if (this.#faults.size > 0) {
      lines.push('# TYPE gatehouse_wasm_faults_total counter');
      for (const [key, count] of this.#faults) {
        const [filter, kind] = key.split('\u0000');
        lines.push(`gatehouse_wasm_faults_total{filter=${JSON.stringify(filter)},kind=${JSON.stringify(kind)}} ${count}`);
      }
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }
}
