/**
 * Where key-auth finds a key besides the headers: the raw query string and the body
 * (JSON object or application/x-www-form-urlencoded, as Kong's kong.request.get_body),
 * and how it removes one under hide_credentials. A name given twice is Kong's
 * "Duplicate API key found": DUPLICATE.
 */
import { decodeQueryPart as decode, queryArgValues, type QueryArgSink } from '../query-args.js';

export const DUPLICATE: unique symbol = Symbol('duplicate key');
/** A value, the duplicate marker, or undefined (absent, or not a string: Kong skips it). */
export type Found = string | typeof DUPLICATE | undefined;

/** Collects one argument's value; a second value makes it DUPLICATE. */
class OneValue implements QueryArgSink {
  value: Found = undefined;
  add(v: string | true): void {
    this.value = this.value === undefined ? (v === true ? '' : v) : DUPLICATE;
  }
}

/** The value of query argument `name` in a raw query string (no `?`). */
export function queryValue(query: string, name: string): Found {
  const one = new OneValue();
  queryArgValues(query, name, one);
  return one.value;
}

/** The raw query without any `name` argument (the others kept byte for byte). */
export function queryWithout(query: string, name: string): string {
  const kept: string[] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (decode(eq === -1 ? part : part.slice(0, eq)) !== name) kept.push(part);
  }
  return kept.join('&');
}

/** A request body read as arguments, or nothing when its type is not one Kong reads. */
export class BodyArguments {
  readonly #json: Record<string, unknown> | null;
  readonly #form: URLSearchParams | null;

  private constructor(json: Record<string, unknown> | null, form: URLSearchParams | null) {
    this.#json = json;
    this.#form = form;
  }

  static parse(contentType: string | undefined, body: Buffer): BodyArguments {
    const type = (contentType ?? '').toLowerCase();
    if (type.startsWith('application/json') || (type.startsWith('application/') && type.includes('+json'))) {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return new BodyArguments(parsed as Record<string, unknown>, null);
      } catch {
        // Kong logs "Cannot process request body" and looks no further in it.
      }
      return new BodyArguments(null, null);
    }
    if (type.startsWith('application/x-www-form-urlencoded')) return new BodyArguments(null, new URLSearchParams(body.toString('utf8')));
    return new BodyArguments(null, null);
  }

  get(name: string): Found {
    if (this.#json !== null) {
      const v = this.#json[name];
      if (typeof v === 'string') return v;
      // A table in Kong's terms (object or array): more than one value.
      return v !== null && typeof v === 'object' ? DUPLICATE : undefined;
    }
    if (this.#form !== null) {
      const all = this.#form.getAll(name);
      return all.length > 1 ? DUPLICATE : all[0];
    }
    return undefined;
  }

  /** The body re-encoded without `name` (Kong's set_body), or null when it had no such field. */
  without(name: string): Buffer | null {
    if (this.#json !== null) {
      if (!Object.hasOwn(this.#json, name)) return null;
      const copy = { ...this.#json };
      delete copy[name];
      return Buffer.from(JSON.stringify(copy));
    }
    if (this.#form !== null) {
      if (!this.#form.has(name)) return null;
      const copy = new URLSearchParams(this.#form);
      copy.delete(name);
      return Buffer.from(copy.toString());
    }
    return null;
  }
}
