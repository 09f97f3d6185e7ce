/**
 * Our validation errors are flat JSON paths (`routes[3].paths[0]: must start with /`);
 * Kong answers with the same errors nested by entity and field:
 *
 *   entity change (code 2):  { "paths": ["must start with /"], "@entity": ["..."] }
 *   POST /config (code 14):  { "routes": [null, null, null, { "paths": [...] }] }
 *                            plus `flattened_errors`, one record per entity
 *
 * Path segments are parsed once here; arrays keep their positions (holes are null),
 * as Kong's cjson encoding of Lua arrays does.
 */
import type { ConfigError } from '../config/types.js';
import type { Raw } from './entities.js';
import { KongCode, kongError, type AdminError } from './errors.js';

type Segment = string | number;

export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  for (let m = re.exec(path); m !== null; m = re.exec(path)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[1] as string);
  }
  return out;
}

function container(next: Segment): Raw | unknown[] {
  return typeof next === 'number' ? [] : {};
}

/** Set `message` at `segments` inside `root`, creating records and arrays on the way. */
export function setNested(root: Raw, segments: readonly Segment[], message: string): void {
  if (segments.length === 0) {
    const list = (root['@entity'] as string[] | undefined) ?? [];
    list.push(message);
    root['@entity'] = list;
    return;
  }
  let node: Raw | unknown[] = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as Segment;
    const last = i === segments.length - 1;
    const slot = node as Record<string | number, unknown>;
    if (Array.isArray(node) && typeof seg === 'number') while (node.length < seg) node.push(null);
    if (last) {
      const prev = slot[seg];
      slot[seg] = typeof prev === 'string' ? `${prev}; ${message}` : message;
      return;
    }
    const next = segments[i + 1] as Segment;
    const existing = slot[seg];
    if (typeof existing !== 'object' || existing === null) slot[seg] = container(next);
    node = slot[seg] as Raw | unknown[];
  }
}

function relative(path: string, prefix: string): string | null {
  if (path === prefix) return '';
  if (path.startsWith(`${prefix}.`)) return path.slice(prefix.length + 1);
  if (path.startsWith(`${prefix}[`)) return path.slice(prefix.length);
  return null;
}

/**
 * Errors of a one-entity change (`prefix` = the entity's path in the draft document) as
 * Kong's schema violation. Errors elsewhere in the document go under `@entity` with
 * their full path, so nothing is hidden.
 */
export function entityViolation(errors: readonly ConfigError[], prefix: string): AdminError {
  const fields: Raw = {};
  const parts: string[] = [];
  for (const e of errors) {
    const rel = prefix === '' ? null : relative(e.path, prefix);
    if (rel === null) {
      setNested(fields, [], e.path === '' ? e.message : `${e.path}: ${e.message}`);
      parts.push(e.path === '' ? e.message : `${e.path}: ${e.message}`);
    } else {
      setNested(fields, parsePath(rel), e.message);
      parts.push(rel === '' ? e.message : `${rel}: ${e.message}`);
    }
  }
  const head = parts.length === 1 ? 'schema violation' : `${parts.length} schema violations`;
  return kongError(KongCode.SCHEMA_VIOLATION, `${head} (${parts.join('; ')})`, fields);
}

const SINGULAR: Readonly<Record<string, string>> = {
  services: 'service', routes: 'route', upstreams: 'upstream', targets: 'target', consumers: 'consumer',
  plugins: 'plugin', filter_chains: 'filter_chain', certificates: 'certificate', snis: 'sni', ca_certificates: 'ca_certificate',
  keyauth_credentials: 'keyauth_credential', basicauth_credentials: 'basicauth_credential', hmacauth_credentials: 'hmacauth_credential',
  jwt_secrets: 'jwt_secret', acls: 'acl',
};

interface FlatEntity {
  entity_type: string;
  entity_name?: string;
  entity_id?: string;
  entity_tags?: unknown;
  entity: unknown;
  errors: { type: 'field' | 'entity'; field?: string; message: string }[];
}

/** The deepest `kind[i]` prefix of a path (`services[0].routes[1]`), or null. */
function entityPrefix(segments: readonly Segment[]): { prefix: Segment[]; kind: string } | null {
  let found: { prefix: Segment[]; kind: string } | null = null;
  for (let i = 0; i + 1 < segments.length; i++) {
    const key = segments[i];
    if (typeof key === 'string' && SINGULAR[key] !== undefined && typeof segments[i + 1] === 'number') {
      found = { prefix: segments.slice(0, i + 2), kind: key };
      i++;
    } else if (found !== null) {
      break;
    }
  }
  return found;
}

function pathText(segments: readonly Segment[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function dig(doc: unknown, segments: readonly Segment[]): unknown {
  let node = doc;
  for (const s of segments) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[s];
  }
  return node;
}

/** Whole-document errors (POST /config) in Kong's code 14 shape, with `flattened_errors`. */
export function declarativeViolation(errors: readonly ConfigError[], doc: unknown): AdminError {
  const fields: Raw = {};
  const flat = new Map<string, FlatEntity>();
  for (const e of errors) {
    const segments = parsePath(e.path);
    setNested(fields, segments, e.message);
    const owner = entityPrefix(segments);
    if (owner === null) continue;
    const key = pathText(owner.prefix);
    let record = flat.get(key);
    if (record === undefined) {
      const entity = dig(doc, owner.prefix);
      const obj = typeof entity === 'object' && entity !== null ? (entity as Raw) : {};
      record = { entity_type: SINGULAR[owner.kind] as string, entity, errors: [] };
      const name = obj['name'] ?? obj['username'] ?? obj['target'];
      if (typeof name === 'string') record.entity_name = name;
      if (typeof obj['id'] === 'string') record.entity_id = obj['id'];
      if (Array.isArray(obj['tags'])) record.entity_tags = obj['tags'];
      flat.set(key, record);
    }
    const rest = segments.slice(owner.prefix.length);
    if (rest.length === 0) record.errors.push({ type: 'entity', message: e.message });
    else record.errors.push({ type: 'field', field: pathText(rest), message: e.message });
  }
  const listed = errors.map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`)).join('; ');
  return kongError(KongCode.DECLARATIVE_CONFIG, `declarative config is invalid: ${listed}`, fields, {
    flattened_errors: [...flat.values()],
  });
}
