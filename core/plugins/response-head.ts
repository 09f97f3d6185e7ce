/**
 * The response status and headers as plugins see them in the response (header_filter)
 * phase, over the list the response will be written from: the upstream's raw header
 * Buffers, or a local response's strings. Nothing is decoded until a plugin asks:
 *
 *   add()          appended to `added` (the common case: cors, correlation-id): no decode
 *   get()/has()    a scan of the raw list, comparing names by length first
 *   set()/remove() the list is decoded once into strings, then edited in place
 *
 * Names are matched case-insensitively; what a plugin adds is written lower-case.
 */

export type RawHeader = Buffer | string;

function text(v: RawHeader): string {
  return typeof v === 'string' ? v : v.toString('latin1');
}

function sameName(raw: RawHeader, lower: string): boolean {
  if (raw.length !== lower.length) return false;
  return text(raw).toLowerCase() === lower;
}

export class ResponseHead {
  status: number;
  #raw: readonly RawHeader[];
  /** The decoded list once a plugin set or removed a header, else null. */
  #list: string[] | null = null;
  /** Headers added without a decode (written after the raw ones), or null. */
  #added: string[] | null = null;

  constructor(status: number, raw: readonly RawHeader[]) {
    this.status = status;
    this.#raw = raw;
  }

  /** First value of `name` (lower-case), or undefined. */
  get(name: string): string | undefined {
    const list = this.#list ?? this.#raw;
    for (let i = 0; i < list.length; i += 2) {
      if (sameName(list[i] as RawHeader, name)) return text(list[i + 1] as RawHeader);
    }
    const added = this.#added;
    if (added !== null) for (let i = 0; i < added.length; i += 2) if (added[i] === name) return added[i + 1];
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Adds one more `name: value` (lower-case name). */
  add(name: string, value: string): void {
    if (this.#list !== null) this.#list.push(name, value);
    else (this.#added ??= []).push(name, value);
  }

  /** Replaces every `name` header with one value. */
  set(name: string, value: string): void {
    this.remove(name);
    this.add(name, value);
  }

  remove(name: string): void {
    if (!this.has(name)) return;
    const list = this.#decode();
    let w = 0;
    for (let r = 0; r < list.length; r += 2) {
      if ((list[r] as string).toLowerCase() === name) continue;
      list[w] = list[r] as string;
      list[w + 1] = list[r + 1] as string;
      w += 2;
    }
    list.length = w;
  }

  /** The headers to write: the raw list untouched when no plugin set or removed one. */
  get headers(): readonly RawHeader[] {
    return this.#list ?? this.#raw;
  }

  /** Headers added on top of `headers`, or null. */
  get added(): readonly string[] | null {
    return this.#list === null ? this.#added : null;
  }

  /** Every header as strings, added ones included (decodes the list once). */
  list(): readonly string[] {
    return this.#decode();
  }

  /** Replaces the status and every header (a filter rebuilt the whole head). */
  replace(status: number, list: string[]): void {
    this.status = status;
    this.#list = list;
    this.#added = null;
  }

  /** Whether a plugin changed the list beyond adding (the writer must not reuse upstream framing blindly). */
  get edited(): boolean {
    return this.#list !== null;
  }

  #decode(): string[] {
    let list = this.#list;
    if (list !== null) return list;
    list = this.#raw.map(text);
    if (this.#added !== null) list.push(...this.#added);
    this.#added = null;
    this.#list = list;
    return list;
  }
}
