/**
 * What Kong's request-transformer and response-transformer share: their `name:value`
 * config entries (Kong splits them with `^([^:]+):*(.-)$`), the header checks of their
 * schemas (kong.tools.http validate_header_name / validate_header_value, with the
 * schemas' wording), and Lua's notions of a present value and of appending to one.
 */

export interface Pair {
  readonly name: string;
  /** '' when the entry has no value (Kong's nil). */
  readonly value: string;
}

const COLON = 0x3a;

/** Kong's split: the name up to the first `:`, the value after the run of `:` that follows; null when nothing precedes the first `:`. */
export function splitPair(entry: string): Pair | null {
  const colon = entry.indexOf(':');
  if (colon === 0 || entry.length === 0) return null;
  if (colon < 0) return { name: entry, value: '' };
  let v = colon + 1;
  while (entry.charCodeAt(v) === COLON) v++;
  return { name: entry.slice(0, colon), value: entry.slice(v) };
}

/** Kong's `match = "^[^:]+:.*$"` on `name:value` entries; its message otherwise. */
export function pairMatchError(entry: string): string | null {
  return entry.indexOf(':') > 0 ? null : `invalid value: ${entry}`;
}

const HEADER_NAME = /^[A-Za-z0-9_-]+$/;
/** Control characters other than HTAB cannot go into a header value. */
const BAD_HEADER_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * How the schemas check a header entry: `none` the name only (remove lists), `name` both
 * sides as header names (rename lists), `value` a name and a header value (replace, add,
 * append). Returns Kong's message, or null.
 */
export function headerPairError(entry: string, check: 'none' | 'name' | 'value'): string | null {
  if (check !== 'none') {
    const mismatch = pairMatchError(entry);
    if (mismatch !== null) return mismatch;
  }
  const pair = splitPair(entry);
  if (pair === null || !HEADER_NAME.test(pair.name)) return `'${pair === null ? 'nil' : pair.name}' is not a valid header`;
  if (check === 'name' && !HEADER_NAME.test(pair.value)) return `'${pair.value}' is not a valid header`;
  if (check === 'value' && BAD_HEADER_VALUE.test(pair.value)) return `'${pair.value}' is not a valid header`;
  return null;
}

/** Lua's truth of a looked-up value: absent (nil) and `false` are false, anything else (JSON null, '') true. */
export function luaTruthy(value: unknown): boolean {
  return value !== undefined && value !== false;
}

/**
 * Kong's append_value: a string becomes `[it, value]`, a list grows (an object gets the
 * next integer key, as Lua's table.insert gives it), and anything else (absent, a number,
 * a boolean, a query flag) is replaced by `[value]`.
 */
export function appendValue(current: unknown, value: unknown): unknown {
  if (typeof current === 'string') return [current, value];
  if (Array.isArray(current)) {
    current.push(value);
    return current;
  }
  if (current !== null && typeof current === 'object') {
    const table = current as Record<string, unknown>;
    let n = 1;
    while (Object.hasOwn(table, String(n))) n++;
    table[String(n)] = value;
    return table;
  }
  return [value];
}
