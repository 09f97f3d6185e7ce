/**
 * Turns ajv errors into ConfigErrors: JSON pointers become JSON-ish paths
 * (`/services/0/retries` -> `services[0].retries`) and ajv's wording becomes short,
 * human messages (`unknown field`, `required field missing`, `must be one of: ...`).
 *
 * It also reports which entities had schema errors, so the semantic pass can skip
 * them instead of tripping over values of the wrong type.
 */
import type { ErrorObject } from 'ajv';
import type { ConfigError } from './types.js';
import { CREDENTIAL_KINDS } from './schema/consumer.js';
import { PATTERN_MESSAGES, REFUSED_KEYWORD } from './schema/typedefs.js';

/** Keys of arrays whose elements are entities (their index path is an entity path). */
const ENTITY_KEYS = new Set<string>([
  'services', 'routes', 'upstreams', 'targets', 'consumers', 'plugins',
  'filter_chains', 'certificates', 'snis', 'ca_certificates', ...CREDENTIAL_KINDS,
]);

function segmentsOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

function pathOf(segments: string[]): string {
  let out = '';
  for (const s of segments) out = /^(0|[1-9][0-9]*)$/.test(s) ? joinPath(out, Number(s)) : joinPath(out, s);
  return out;
}

/** The deepest entity (`services[0].routes[1]`) or entity collection (`services`) containing a pointer. */
export function entityPathOf(pointer: string): string | null {
  const segs = segmentsOf(pointer);
  let entity: string | null = null;
  let path = '';
  for (let i = 0; i < segs.length; i += 2) {
    const key = segs[i] as string;
    if (!ENTITY_KEYS.has(key)) break;
    const index = segs[i + 1];
    if (index === undefined || !/^(0|[1-9][0-9]*)$/.test(index)) {
      return joinPath(path, key);
    }
    path = joinPath(joinPath(path, key), Number(index));
    entity = path;
  }
  return entity;
}

function typeMessage(type: unknown): string {
  const types = String(type).split(',');
  return `must be ${types.join(' or ')}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The reason a refused Kong value is refused (REFUSED_KEYWORD; needs ajv `verbose`), or null. */
function refusedReason(e: ErrorObject): string | null {
  const refused = (e.parentSchema as Record<string, unknown> | undefined)?.[REFUSED_KEYWORD] as Record<string, string> | undefined;
  if (refused === undefined || typeof e.data !== 'string') return null;
  return Object.hasOwn(refused, e.data) ? (refused[e.data] ?? null) : null;
}

/** One ajv error -> one ConfigError, or null for a summary error that repeats another. */
export function convertAjvError(e: ErrorObject): ConfigError | null {
  const base = pathOf(segmentsOf(e.instancePath));
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: joinPath(base, String(p['missingProperty'])), message: 'required field missing' };
    case 'additionalProperties':
      return { path: joinPath(base, String(p['additionalProperty'])), message: 'unknown field' };
    case 'propertyNames':
      return null;
    case 'type':
      return { path: base, message: typeMessage(p['type']) };
    case 'enum': {
      const refused = refusedReason(e);
      if (refused !== null) return { path: base, message: `not supported: ${refused}` };
      return { path: base, message: `must be one of: ${(p['allowedValues'] as unknown[]).map(String).join(', ')}` };
    }
    case 'pattern': {
      const message = PATTERN_MESSAGES[String(p['pattern'])] ?? `must match ${String(p['pattern'])}`;
      const path = e.propertyName === undefined ? base : joinPath(base, e.propertyName);
      return { path, message: e.propertyName === undefined ? message : `invalid name: ${message}` };
    }
    case 'minLength':
      return { path: base, message: p['limit'] === 1 ? 'must not be empty' : `must have at least ${plural(Number(p['limit']), 'character')}` };
    case 'maxLength':
      return { path: base, message: `must have at most ${plural(Number(p['limit']), 'character')}` };
    case 'minItems':
      return { path: base, message: `must have at least ${plural(Number(p['limit']), 'item')}` };
    case 'minProperties':
      return { path: base, message: 'must not be empty' };
    case 'uniqueItems':
      return { path: base, message: `must not contain duplicates (items ${String(p['j'])} and ${String(p['i'])} are equal)` };
    default:
      return { path: base, message: e.message ?? `failed ${e.keyword}` };
  }
}

/** A plugin config's ajv errors as ConfigErrors under `<pluginPath>.config`. */
export function pushPluginConfigErrors(errors: ConfigError[], pluginPath: string, list: readonly ErrorObject[] | null | undefined): void {
  const base = joinPath(pluginPath, 'config');
  for (const e of list ?? []) {
    const converted = convertAjvError(e);
    if (converted === null) continue;
    errors.push({ path: converted.path === '' ? base : joinPath(base, converted.path), message: converted.message });
  }
}

export interface SchemaReport {
  errors: ConfigError[];
  /** Entity paths and collection paths that had at least one schema error. */
  badEntities: Set<string>;
}

export function reportAjvErrors(list: readonly ErrorObject[]): SchemaReport {
  const errors: ConfigError[] = [];
  const seen = new Set<string>();
  const badEntities = new Set<string>();
  const sources: ErrorObject[] = [];
  for (const e of list) {
    const converted = convertAjvError(e);
    if (converted === null) continue;
    const key = `${converted.path}\0${converted.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(converted);
    sources.push(e);
    const entity = entityPathOf(e.instancePath);
    if (entity !== null) badEntities.add(entity);
  }
  // A value of the wrong type also fails its enum/pattern/range; report the type only.
  const typed = new Set(list.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const kept = errors.filter((e, i) => {
    const source = sources[i] as ErrorObject;
    return source.keyword === 'type' || !typed.has(source.instancePath) || source.keyword === 'required' || source.keyword === 'additionalProperties';
  });
  return { errors: kept, badEntities };
}
