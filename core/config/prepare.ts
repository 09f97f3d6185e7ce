/**
 * What the declarative reader does to a document before its schema sees it:
 *
 * 1. `null` means "not set" (Kong: a null field takes its default, or stays unset). A null
 *    is dropped wherever the schema does not itself allow null, so defaults apply and a
 *    required field reports as missing. Plugin `config` contents and filter configs are
 *    opaque here and keep their nulls (each plugin's schema decides what null means).
 * 2. deck's `_info.defaults` fill the fields a service, route, upstream or target does
 *    not set, as deck does before it syncs (go-database-reconciler file/builder.go).
 *
 * The input is never modified: every record on the way is copied, and index paths stay
 * the same, so error paths point into the document as written.
 */

type Schema = Record<string, unknown>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function allowsNull(schema: Schema): boolean {
  const type = schema['type'];
  return type === 'null' || (Array.isArray(type) && type.includes('null'));
}

/** Copy `value`, dropping nulls the schema does not allow; walks properties, items, maps. */
export function dropNulls(value: unknown, schema: Schema): unknown {
  if (Array.isArray(value)) {
    const items = schema['items'];
    return isRecord(items) ? value.map((v) => dropNulls(v, items)) : value;
  }
  if (!isRecord(value)) return value;
  const properties = schema['properties'];
  const extra = schema['additionalProperties'];
  if (!isRecord(properties) && !isRecord(extra)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const sub = isRecord(properties) && isRecord(properties[key]) ? properties[key] : isRecord(extra) ? extra : null;
    if (sub === null) {
      out[key] = v;
    } else if (v !== null) {
      out[key] = dropNulls(v, sub);
    } else if (allowsNull(sub)) {
      out[key] = null;
    }
  }
  return out;
}

/** Set every field of `defaults` that `entity` lacks (a copy, so entities never share arrays). */
function fill(entity: unknown, defaults: unknown): void {
  if (!isRecord(entity) || !isRecord(defaults)) return;
  for (const [key, value] of Object.entries(defaults)) {
    if (entity[key] === undefined) entity[key] = structuredClone(value);
  }
}

function each(list: unknown, visit: (item: Record<string, unknown>) => void): void {
  if (Array.isArray(list)) for (const item of list) if (isRecord(item)) visit(item);
}

/** Apply deck's `_info.defaults` in place to a document `dropNulls` already copied. */
export function applyDeckDefaults(doc: Record<string, unknown>): void {
  const info = doc['_info'];
  const defaults = isRecord(info) ? info['defaults'] : undefined;
  if (!isRecord(defaults)) return;
  const { service, route, upstream, target } = defaults;
  each(doc['services'], (s) => {
    fill(s, service);
    each(s['routes'], (r) => fill(r, route));
  });
  each(doc['routes'], (r) => fill(r, route));
  each(doc['upstreams'], (u) => {
    fill(u, upstream);
    each(u['targets'], (t) => fill(t, target));
  });
  each(doc['targets'], (t) => fill(t, target));
}

/** Both steps, in order; non-object documents pass through for the schema to reject. */
export function prepareDocument(raw: unknown, schema: Schema): unknown {
  const doc = dropNulls(raw, schema);
  if (isRecord(doc)) applyDeckDefaults(doc);
  return doc;
}
