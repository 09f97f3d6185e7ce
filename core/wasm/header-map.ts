/**
 * An ordered HTTP header map as proxy-wasm sees it: lower-cased names, repeated names
 * allowed, pseudo-headers (`:method`, `:path`, `:authority`, `:scheme`, `:status`) stored
 * in front like Envoy's maps. The pipeline builds one per phase; hostcalls mutate it.
 */

export type HeaderPair = readonly [name: string, value: string];

export class HeaderMap {
  #names: string[] = [];
  #values: string[] = [];

  constructor(pairs?: Iterable<HeaderPair>) {
    if (pairs !== undefined) for (const [n, v] of pairs) this.add(n, v);
  }

  /** Build a map from a plain object; array values become repeated headers. */
  static fromRecord(record: Readonly<Record<string, string | readonly string[] | undefined>>): HeaderMap {
    const map = new HeaderMap();
    for (const [name, value] of Object.entries(record)) {
      if (value === undefined) continue;
      if (typeof value === 'string') map.add(name, value);
      else for (const v of value) map.add(name, v);
    }
    return map;
  }

  get size(): number {
    return this.#names.length;
  }

  /** The i-th name (lower-case) and value, for walking the map without a pairs() copy. */
  nameAt(i: number): string {
    return this.#names[i] as string;
  }

  valueAt(i: number): string {
    return this.#values[i] as string;
  }

  /** add() for a name the caller knows is lower-case already (uWS hands names lower-cased). */
  addLower(name: string, value: string): void {
    this.#names.push(name);
    this.#values.push(value);
  }

  /** First value for `name`, or undefined. */
  get(name: string): string | undefined {
    const i = this.#names.indexOf(name.toLowerCase());
    return i === -1 ? undefined : this.#values[i];
  }

  /** Every value for `name`, in order. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this.#names.length; i++) if (this.#names[i] === key) out.push(this.#values[i] as string);
    return out;
  }

  has(name: string): boolean {
    return this.#names.indexOf(name.toLowerCase()) !== -1;
  }

  add(name: string, value: string): void {
    this.#names.push(name.toLowerCase());
    this.#values.push(value);
  }

  /** Replace the first value and drop the others; add when absent (Envoy's setCopy). */
  replace(name: string, value: string): void {
    const key = name.toLowerCase();
    const i = this.#names.indexOf(key);
    if (i === -1) {
      this.add(key, value);
      return;
    }
    this.#values[i] = value;
    for (let j = this.#names.length - 1; j > i; j--) {
      if (this.#names[j] === key) {
        this.#names.splice(j, 1);
        this.#values.splice(j, 1);
      }
    }
  }

  /** Remove every value for `name`; returns how many were removed. */
  remove(name: string): number {
    const key = name.toLowerCase();
    let removed = 0;
    for (let j = this.#names.length - 1; j >= 0; j--) {
      if (this.#names[j] === key) {
        this.#names.splice(j, 1);
        this.#values.splice(j, 1);
        removed++;
      }
    }
    return removed;
  }

  /** Replace the whole map. */
  setPairs(pairs: Iterable<HeaderPair>): void {
    this.#names = [];
    this.#values = [];
    for (const [n, v] of pairs) this.add(n, v);
  }

  pairs(): HeaderPair[] {
    const out: HeaderPair[] = new Array(this.#names.length);
    for (let i = 0; i < this.#names.length; i++) out[i] = [this.#names[i] as string, this.#values[i] as string];
    return out;
  }

  /** Plain object view; repeated names become arrays. */
  toRecord(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (let i = 0; i < this.#names.length; i++) {
      const n = this.#names[i] as string;
      const v = this.#values[i] as string;
      const prev = out[n];
      if (prev === undefined) out[n] = v;
      else if (typeof prev === 'string') out[n] = [prev, v];
      else prev.push(v);
    }
    return out;
  }
}
