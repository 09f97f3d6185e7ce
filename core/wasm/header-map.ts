/**
 * An ordered HTTP header map as proxy-wasm sees it: lower-cased names, repeated names
 * allowed, pseudo-headers (`:method`, `:path`, `:authority`, `:scheme`, `:status`) in
 * front like Envoy's maps. The pipeline builds one per phase; hostcalls mutate it.
 *
 * Storage is two flat `[name, value, …]` arrays: the pseudo-headers, then the regular
 * headers. The split lets the gateway lay a request map over the request's own header
 * array (`HeaderMap.over`): nothing is copied in, and what a filter changes is already
 * what goes upstream, with no copy back out.
 */

export type HeaderPair = readonly [name: string, value: string];

const COLON = 58;

export class HeaderMap {
  #pseudo: string[];
  #flat: string[];

  constructor(pairs?: Iterable<HeaderPair>) {
    this.#pseudo = [];
    this.#flat = [];
    if (pairs !== undefined) for (const [n, v] of pairs) this.add(n, v);
  }

  /**
   * A map whose regular headers are `flat` itself (names already lower-case): mutations
   * write through to it, and `setPairs` refills it in place, so the owner's array always
   * holds the map's regular headers. `pseudo` is `[name, value, …]` of `:`-names.
   */
  static over(flat: string[], pseudo: string[]): HeaderMap {
    const map = new HeaderMap();
    map.#flat = flat;
    map.#pseudo = pseudo;
    return map;
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
    return (this.#pseudo.length + this.#flat.length) >> 1;
  }

  /** The i-th name (lower-case) and value, for walking the map without a pairs() copy. */
  nameAt(i: number): string {
    const p = this.#pseudo.length;
    const k = 2 * i;
    return (k < p ? this.#pseudo[k] : this.#flat[k - p]) as string;
  }

  valueAt(i: number): string {
    const p = this.#pseudo.length;
    const k = 2 * i + 1;
    return (k < p ? this.#pseudo[k] : this.#flat[k - p]) as string;
  }

  /** First value for `name`, or undefined. */
  get(name: string): string | undefined {
    const key = name.toLowerCase();
    const list = this.#listFor(key);
    const i = find(list, key, 0);
    return i === -1 ? undefined : list[i + 1];
  }

  /** Every value for `name`, in order. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    const list = this.#listFor(key);
    const out: string[] = [];
    for (let i = 0; i < list.length; i += 2) if (list[i] === key) out.push(list[i + 1] as string);
    return out;
  }

  has(name: string): boolean {
    const key = name.toLowerCase();
    return find(this.#listFor(key), key, 0) !== -1;
  }

  add(name: string, value: string): void {
    const key = name.toLowerCase();
    this.#listFor(key).push(key, value);
  }

  /** Replace the first value and drop the others; add when absent (Envoy's setCopy). */
  replace(name: string, value: string): void {
    const key = name.toLowerCase();
    const list = this.#listFor(key);
    const i = find(list, key, 0);
    if (i === -1) {
      list.push(key, value);
      return;
    }
    list[i + 1] = value;
    removeFrom(list, key, i + 2);
  }

  /** Remove every value for `name`; returns how many were removed. */
  remove(name: string): number {
    const key = name.toLowerCase();
    return removeFrom(this.#listFor(key), key, 0);
  }

  /** Replace the whole map (the arrays are refilled in place: see `over`). */
  setPairs(pairs: Iterable<HeaderPair>): void {
    this.#pseudo.length = 0;
    this.#flat.length = 0;
    for (const [n, v] of pairs) this.add(n, v);
  }

  pairs(): HeaderPair[] {
    const out: HeaderPair[] = new Array(this.size);
    for (let i = 0; i < out.length; i++) out[i] = [this.nameAt(i), this.valueAt(i)];
    return out;
  }

  /** Plain object view; repeated names become arrays. */
  toRecord(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (let i = 0; i < this.size; i++) {
      const n = this.nameAt(i);
      const v = this.valueAt(i);
      const prev = out[n];
      if (prev === undefined) out[n] = v;
      else if (typeof prev === 'string') out[n] = [prev, v];
      else prev.push(v);
    }
    return out;
  }

  #listFor(key: string): string[] {
    return key.charCodeAt(0) === COLON ? this.#pseudo : this.#flat;
  }
}

/** Index of the first `key` at or after pair index `from` in a flat list, or -1. */
function find(list: readonly string[], key: string, from: number): number {
  for (let i = from; i < list.length; i += 2) if (list[i] === key) return i;
  return -1;
}

/** Removes every `key` pair at or after `from`, in place; returns how many. */
function removeFrom(list: string[], key: string, from: number): number {
  let write = from;
  let removed = 0;
  for (let read = from; read < list.length; read += 2) {
    if (list[read] === key) {
      removed++;
      continue;
    }
    if (write !== read) {
      list[write] = list[read] as string;
      list[write + 1] = list[read + 1] as string;
    }
    write += 2;
  }
  list.length = write;
  return removed;
}
