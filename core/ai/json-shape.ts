/**
 * Narrowing helpers for untrusted JSON (client bodies, upstream answers): read a field as a
 * given type or get undefined, never throw. Named by topic: shapes of parsed JSON.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(obj: JsonObject, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}

export function num(obj: JsonObject, key: string): number | undefined {
  const v = obj[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function obj(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key];
  return isObject(v) ? v : undefined;
}

export function arr(o: JsonObject, key: string): unknown[] | undefined {
  const v = o[key];
  return Array.isArray(v) ? v : undefined;
}

/** Parses JSON text; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Copies `source` without `known` keys: the fields a translation passes through. */
export function rest(source: JsonObject, known: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(source)) if (!known.has(key)) out[key] = source[key];
  return out;
}

/** The first error message an upstream body carries, in any of the common shapes. */
export function errorMessage(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const error = body['error'];
  if (typeof error === 'string') return error;
  if (isObject(error)) {
    const m = str(error, 'message');
    if (m !== undefined) return m;
  }
  return str(body, 'message') ?? str(body, 'Message');
}
