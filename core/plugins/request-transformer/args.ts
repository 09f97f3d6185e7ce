/**
 * Arguments as request-transformer edits them: the query string and form-urlencoded
 * bodies as a table of decoded names (ngx.decode_args: a value, `true` for a name without
 * `=`, a list for a repeated name), and a JSON object behind the same small interface, so
 * one set of operations (operations.ts) serves all three.
 *
 * Encoding back follows Kong: kong.service.request.set_query sorts the names and writes
 * lists as repeated names and `true` as a bare name; form bodies keep their order
 * (ngx.encode_args has none of its own).
 */
import { decodeQueryPart } from '../query-args.js';

const RESERVED_BY_NGINX = /[!'()*]/g;

function hexEscape(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
}

/** ngx.escape_uri for an argument: encodeURIComponent, plus the five marks it leaves alone (only A-Z a-z 0-9 - . _ ~ stay). */
function escapeArg(value: string): string {
  return encodeURIComponent(value).replace(RESERVED_BY_NGINX, hexEscape);
}

/** What the operations read and write. */
export interface ArgStore {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  delete(name: string): void;
}

export class ArgTable implements ArgStore {
  readonly #map = new Map<string, unknown>();

  /** ngx.decode_args: `&`-separated, `+` and `%XX` decoded, empty names dropped. */
  static parse(raw: string): ArgTable {
    const table = new ArgTable();
    let start = 0;
    while (start < raw.length) {
      let end = raw.indexOf('&', start);
      if (end === -1) end = raw.length;
      const eq = raw.indexOf('=', start);
      const hasValue = eq !== -1 && eq < end;
      const name = decodeQueryPart(raw.slice(start, hasValue ? eq : end));
      if (name !== '') table.#add(name, hasValue ? decodeQueryPart(raw.slice(eq + 1, end)) : true);
      start = end + 1;
    }
    return table;
  }

  #add(name: string, value: string | true): void {
    const current = this.#map.get(name);
    if (current === undefined) this.#map.set(name, value);
    else if (Array.isArray(current)) current.push(value);
    else this.#map.set(name, [current, value]);
  }

  get size(): number {
    return this.#map.size;
  }

  get(name: string): unknown {
    return this.#map.get(name);
  }

  set(name: string, value: unknown): void {
    this.#map.set(name, value);
  }

  delete(name: string): void {
    this.#map.delete(name);
  }

  /** The first value as a template renders it (a bare name is Lua's `true`). */
  first(name: string): string | undefined {
    let v = this.#map.get(name);
    if (Array.isArray(v)) v = v[0];
    return v === undefined ? undefined : String(v);
  }

  /** http_method's move of form arguments into the query: a name present in both keeps every value. */
  merge(other: ArgTable): void {
    for (const [name, value] of other.#map) {
      const current = this.#map.get(name);
      if (current === undefined) this.#map.set(name, value);
      else this.#map.set(name, [current, value].flat());
    }
  }

  encode(sorted: boolean): string {
    const names = [...this.#map.keys()];
    if (sorted) names.sort();
    const out: string[] = [];
    for (const name of names) encodeValue(out, escapeArg(name), this.#map.get(name));
    return out.join('&');
  }
}

function encodeValue(out: string[], name: string, value: unknown): void {
  if (value === true) out.push(name);
  else if (Array.isArray(value)) for (const v of value) encodeValue(out, name, v);
  else if (value !== undefined && value !== null && value !== false) out.push(`${name}=${escapeArg(String(value))}`);
}

/** A JSON object body as an ArgStore. */
export class JsonStore implements ArgStore {
  readonly object: Record<string, unknown>;

  constructor(object: Record<string, unknown>) {
    this.object = object;
  }

  get(name: string): unknown {
    return Object.hasOwn(this.object, name) ? this.object[name] : undefined;
  }

  set(name: string, value: unknown): void {
    this.object[name] = value;
  }

  delete(name: string): void {
    delete this.object[name];
  }
}
