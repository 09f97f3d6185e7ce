/**
 * response-transformer, compile side (Kong priority 800). Entries are checked with Kong's
 * schema rules and wording and split once; header names are lower-cased; each JSON value
 * is turned into what Kong's json_value makes of it (its json_types cast included), so the
 * handler only assigns. Entries Kong skips on every response (a header without a value, a
 * `number` that is not one) are dropped here.
 */
import { ALL_SCOPES, type PluginCompileContext, type PluginDefinition } from '../definition.js';
import { headerPairError, pairMatchError, splitPair } from '../transform-pairs.js';
import { responseTransformerSchema, type JSON_TYPES } from './schema.js';

type JsonType = (typeof JSON_TYPES)[number];

interface Lists {
  json: string[];
  headers: string[];
}

interface TypedLists extends Lists {
  json_types: JsonType[];
}

interface ResponseTransformerConfig {
  remove: Lists;
  rename: Lists;
  replace: TypedLists;
  add: TypedLists;
  append: TypedLists;
}

export interface CompiledPair<V> {
  name: string;
  value: V;
}

/** Kong's order: remove, rename, replace, add, append. */
export interface CompiledSection<V> {
  remove: string[];
  rename: CompiledPair<string>[];
  replace: CompiledPair<V>[];
  add: CompiledPair<V>[];
  append: CompiledPair<V>[];
}

export type JsonValue = string | number | boolean;

export interface CompiledResponseTransformer {
  headers: CompiledSection<string> | null;
  /**
   * A header is named by more than one operation: Kong decides every operation on the
   * headers as they arrived, so the handler reads a copy of them (else it reads live).
   */
  snapshot: boolean;
  /** JSON body operations, or null: the body is never buffered. */
  json: CompiledSection<JsonValue> | null;
}

/** Lua's tonumber on a config string: decimal or hex, surrounding spaces allowed; null when not a number. */
function luaNumber(text: string): number | null {
  const t = text.trim();
  const hex = /^([-+]?)0[xX]([0-9a-fA-F]+)$/.exec(t);
  if (hex !== null) return (hex[1] === '-' ? -1 : 1) * parseInt(hex[2] as string, 16);
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : null;
}

/** Kong's json_value: an empty value is the text "null"; json_types casts it (a `number` that is not one: null, the entry is skipped). */
function jsonValue(raw: string, type: JsonType | undefined): JsonValue | null {
  const v = raw === '' ? 'null' : raw;
  if (type === 'number') return luaNumber(v);
  if (type === 'boolean') return v === 'true';
  return v;
}

type Operation = keyof ResponseTransformerConfig;
const PAIRED: readonly Exclude<Operation, 'remove'>[] = ['rename', 'replace', 'add', 'append'];

function names(ctx: PluginCompileContext, list: readonly string[], field: string, lower: boolean): string[] {
  const out: string[] = [];
  list.forEach((entry, i) => {
    const pair = splitPair(entry);
    if (pair === null) return ctx.error(`${field}[${i}]`, `invalid value: ${entry}`);
    out.push(lower ? pair.name.toLowerCase() : pair.name);
  });
  return out;
}

function headerSection(ctx: PluginCompileContext, c: ResponseTransformerConfig): CompiledSection<string> {
  const out: CompiledSection<string> = { remove: names(ctx, c.remove.headers, 'remove.headers', true), rename: [], replace: [], add: [], append: [] };
  for (const op of PAIRED) {
    c[op].headers.forEach((entry, i) => {
      const error = headerPairError(entry, op === 'rename' ? 'name' : 'value');
      if (error !== null) return ctx.error(`${op}.headers[${i}]`, error);
      const pair = splitPair(entry) as { name: string; value: string };
      const name = pair.name.toLowerCase();
      const value = op === 'rename' ? pair.value.toLowerCase() : pair.value;
      // Kong skips an entry without a value, and a rename to the same name changes nothing.
      if (value === '' || (op === 'rename' && value === name)) return;
      out[op].push({ name, value });
    });
  }
  return out;
}

function jsonSection(ctx: PluginCompileContext, c: ResponseTransformerConfig): CompiledSection<JsonValue> {
  const out: CompiledSection<JsonValue> = { remove: names(ctx, c.remove.json, 'remove.json', false), rename: [], replace: [], add: [], append: [] };
  c.rename.json.forEach((entry, i) => {
    const error = pairMatchError(entry);
    if (error !== null) return ctx.error(`rename.json[${i}]`, error);
    const pair = splitPair(entry) as { name: string; value: string };
    if (pair.value !== '' && pair.value !== pair.name) out.rename.push({ name: pair.name, value: pair.value });
  });
  for (const op of ['replace', 'add', 'append'] as const) {
    c[op].json.forEach((entry, i) => {
      const error = pairMatchError(entry);
      if (error !== null) return ctx.error(`${op}.json[${i}]`, error);
      const pair = splitPair(entry) as { name: string; value: string };
      const value = jsonValue(pair.value, c[op].json_types[i]);
      if (value !== null) out[op].push({ name: pair.name, value });
    });
  }
  return out;
}

function isEmpty(s: CompiledSection<unknown>): boolean {
  return s.remove.length + s.rename.length + s.replace.length + s.add.length + s.append.length === 0;
}

/** Whether one header name is the subject of more than one entry. */
function overlaps(s: CompiledSection<string>): boolean {
  const seen = new Set<string>();
  const all = [...s.remove, ...s.rename.flatMap((p) => [p.name, p.value]), ...[...s.replace, ...s.add, ...s.append].map((p) => p.name)];
  for (const name of all) {
    if (seen.has(name)) return true;
    seen.add(name);
  }
  return false;
}

export const definition: PluginDefinition<ResponseTransformerConfig, CompiledResponseTransformer> = {
  name: 'response-transformer',
  version: '3.9.0',
  priority: 800,
  schema: responseTransformerSchema(),
  scopes: ALL_SCOPES,
  compile(config, ctx) {
    const headers = headerSection(ctx, config);
    const json = jsonSection(ctx, config);
    return { headers: isEmpty(headers) ? null : headers, snapshot: overlaps(headers), json: isEmpty(json) ? null : json };
  },
};
