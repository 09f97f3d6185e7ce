/**
 * Kong's generic endpoints, once for every kind: list and create on a collection, read,
 * upsert (PUT), update (PATCH) and delete on one entity — each optionally nested under a
 * parent (`/services/{service}/routes/{route}`), where the parent fixes the foreign key.
 *
 * Writes check what Kong's DAO checks before touching the config (foreign keys resolve,
 * unique fields are unique, restrict/cascade on delete), then hand the whole draft to
 * AdminState.commitDraft, which validates it as a declarative document.
 */
import { randomUUID } from 'node:crypto';
import { parseTarget } from '../config/normalize-upstreams.js';
import { parseEntityBody } from './body.js';
import type { AdminRequest, Handler, RouteDef } from './dispatch.js';
import { KINDS, KIND_NAMES, toRaw, type Draft, type KindName, type KindSpec, type Raw } from './entities.js';
import {
  foreignKeyMissing, notFound, primaryKeyViolation, referencedBy, schemaViolation, uniqueViolation,
} from './errors.js';
import { paginate } from './pagination.js';
import { isUuid, type AdminState } from './state.js';

/** A nested collection: the parent kind, its path parameter, and the child's foreign-key field. */
export interface Scope {
  parent: KindName;
  field: string;
}

function targetKey(text: string): string {
  const parsed = parseTarget(text);
  return typeof parsed === 'string' ? text : `${parsed.host}:${parsed.port}`;
}

/** How a path key compares with an entity's endpoint key. */
function sameKey(kind: KindName): (stored: string, key: string) => boolean {
  if (kind === 'upstreams') return (a, b) => a === b.toLowerCase();
  if (kind === 'targets') return (a, b) => a === targetKey(b);
  return (a, b) => a === b;
}

export function findEntity(state: AdminState, kind: KindName, key: string): Raw | null {
  return state.find(kind, key, KINDS[kind].endpointKey, sameKey(kind));
}

function refId(value: unknown): string | null {
  return typeof value === 'object' && value !== null && typeof (value as Raw)['id'] === 'string' ? ((value as Raw)['id'] as string) : null;
}

function parentOf(req: AdminRequest, scope: Scope | null): Raw | null {
  if (scope === null) return null;
  const parent = findEntity(req.state, scope.parent, req.params['parent'] as string);
  if (parent === null) throw notFound();
  return parent;
}

function inScope(entity: Raw, scope: Scope | null, parent: Raw | null): boolean {
  return scope === null || parent === null || refId(entity[scope.field]) === parent['id'];
}

export function bodyObject(req: AdminRequest): Raw {
  const body = parseEntityBody(req.contentType, req.rawBody);
  if (body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw schemaViolation({ '@entity': ['expected a record'] }, 'schema violation (expected a record)');
  }
  return { ...(body as Raw) };
}

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isRecord(base) || !isRecord(patch)) return patch;
  const out: Raw = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = deepMerge(base[k], v);
  return out;
}

/** Foreign keys given as a name, an id, `{ id }` or `{ name }` become `{ id }`; unknown ones are Kong's code 4. */
function resolveForeign(state: AdminState, spec: KindSpec, entity: Raw): void {
  for (const fk of spec.foreign) {
    const value = entity[fk.field];
    if (value === undefined || value === null) continue;
    let key: string | null = null;
    let shown: Raw;
    if (typeof value === 'string') {
      key = value;
      shown = isUuid(value) ? { id: value } : { name: value };
    } else if (isRecord(value) && typeof value['id'] === 'string') {
      key = value['id'];
      shown = { id: value['id'] };
    } else if (isRecord(value) && typeof value['name'] === 'string') {
      key = value['name'];
      shown = { name: value['name'] };
    } else {
      shown = isRecord(value) ? value : { id: String(value) };
    }
    const found = key === null ? null : findEntity(state, fk.kind, key);
    if (found === null || (isRecord(value) && 'id' in value && found['id'] !== String(value['id']).toLowerCase())) {
      throw foreignKeyMissing(fk.field, shown, fk.kind);
    }
    entity[fk.field] = { id: found['id'] };
  }
}

function checkUnique(state: AdminState, spec: KindSpec, entity: Raw): void {
  const id = entity['id'];
  const others = state.views(spec.name).filter((v) => v['id'] !== id);
  for (const field of spec.unique) {
    const value = entity[field];
    if (typeof value !== 'string') continue;
    const norm = spec.name === 'upstreams' ? value.toLowerCase() : value;
    if (others.some((o) => o[field] === norm)) throw uniqueViolation({ [field]: value });
  }
  if (spec.name === 'targets' && typeof entity['target'] === 'string') {
    const key = targetKey(entity['target']);
    const upstream = refId(entity['upstream']);
    if (others.some((o) => o['target'] === key && refId(o['upstream']) === upstream)) {
      throw uniqueViolation({ target: entity['target'], upstream: { id: upstream } });
    }
  }
  if (spec.name === 'plugins') {
    const scope = (o: Raw): string => ['service', 'route', 'consumer'].map((f) => refId(o[f]) ?? '').join('\0');
    if (others.some((o) => o['name'] === entity['name'] && scope(o) === scope(entity))) {
      const fields: Raw = { consumer: entity['consumer'] ?? null, name: entity['name'], route: entity['route'] ?? null, service: entity['service'] ?? null };
      throw uniqueViolation(fields);
    }
  }
}

/**
 * Validates and publishes `proposed` in place of `existing` (or as a new entity), then
 * answers with the stored view. Runs inside AdminState.exclusive.
 */
async function save(state: AdminState, spec: KindSpec, existing: Raw | null, proposed: Raw): Promise<Raw> {
  resolveForeign(state, spec, proposed);
  checkUnique(state, spec, proposed);
  const draft = state.draft();
  const list = draft.entities[spec.name];
  const raw = toRaw(proposed);
  let index = list.length;
  if (existing !== null) {
    index = list.findIndex((e) => e['id'] === existing['id']);
    const old = list[index] ?? {};
    for (const field of spec.hidden) if (old[field] !== undefined) raw[field] = old[field];
    list[index] = raw;
  } else {
    list.push(raw);
  }
  const id = String(raw['id']).toLowerCase();
  await state.commitDraft(draft, `${spec.name}[${index}]`, [id]);
  const saved = findEntity(state, spec.name, id);
  if (saved === null) throw new Error(`${spec.singular} ${id} vanished after commit`);
  return saved;
}

/** Everything to delete with `id` (Kong's cascade), or Kong's error when something restricts it. */
function cascade(draft: Draft, kind: KindName, id: string): void {
  for (const child of KIND_NAMES) {
    for (const fk of KINDS[child].foreign) {
      if (fk.kind !== kind) continue;
      const refs = draft.entities[child].filter((e) => refId(e[fk.field]) === id);
      if (refs.length === 0) continue;
      if (fk.onDelete === 'restrict') throw referencedBy(child, kind);
      draft.entities[child] = draft.entities[child].filter((e) => refId(e[fk.field]) !== id);
    }
  }
}

export function listHandler(kind: KindName, scope: Scope | null): Handler {
  return (req) => {
    const parent = parentOf(req, scope);
    const all = req.state.views(kind).filter((e) => inScope(e, scope, parent));
    return { status: 200, body: paginate(all, req.path, req.query) };
  };
}

export function createHandler(kind: KindName, scope: Scope | null): Handler {
  const spec = KINDS[kind];
  return (req) =>
    req.state.exclusive(async () => {
      const parent = parentOf(req, scope);
      const body = bodyObject(req);
      if (scope !== null && parent !== null) body[scope.field] = { id: parent['id'] };
      const given = body['id'];
      if (typeof given === 'string' && isUuid(given)) {
        const id = given.toLowerCase();
        body['id'] = id;
        if (findEntity(req.state, kind, id) !== null) throw primaryKeyViolation(id);
      } else if (body['id'] === undefined || body['id'] === null) {
        body['id'] = randomUUID();
      }
      return { status: 201, body: await save(req.state, spec, null, body) };
    });
}

function readScoped(req: AdminRequest, kind: KindName, scope: Scope | null): Raw {
  const parent = parentOf(req, scope);
  const entity = findEntity(req.state, kind, req.params['id'] as string);
  if (entity === null || !inScope(entity, scope, parent)) throw notFound();
  return entity;
}

export function readHandler(kind: KindName, scope: Scope | null): Handler {
  return (req) => ({ status: 200, body: readScoped(req, kind, scope) });
}

export function patchHandler(kind: KindName, scope: Scope | null): Handler {
  const spec = KINDS[kind];
  return (req) =>
    req.state.exclusive(async () => {
      const existing = readScoped(req, kind, scope);
      const body = bodyObject(req);
      const merged: Raw = { ...existing };
      for (const [k, v] of Object.entries(body)) merged[k] = spec.merged.includes(k) ? deepMerge(existing[k], v) : v;
      if (kind === 'services' && body['url'] !== undefined) {
        for (const f of ['protocol', 'host', 'port', 'path']) if (!(f in body)) delete merged[f];
      }
      merged['id'] = existing['id'];
      return { status: 200, body: await save(req.state, spec, existing, merged) };
    });
}

export function putHandler(kind: KindName, scope: Scope | null): Handler {
  const spec = KINDS[kind];
  return (req) =>
    req.state.exclusive(async () => {
      const parent = parentOf(req, scope);
      const key = req.params['id'] as string;
      const existing = findEntity(req.state, kind, key);
      if (existing !== null && !inScope(existing, scope, parent)) throw notFound();
      const body = bodyObject(req);
      if (scope !== null && parent !== null) body[scope.field] = { id: parent['id'] };
      if (existing !== null) body['id'] = existing['id'];
      else if (isUuid(key)) body['id'] = key.toLowerCase();
      else body['id'] = randomUUID();
      if (!isUuid(key) && spec.endpointKey !== null) body[spec.endpointKey] = key;
      return { status: 200, body: await save(req.state, spec, existing, body) };
    });
}

export function deleteHandler(kind: KindName, scope: Scope | null): Handler {
  return (req) =>
    req.state.exclusive(async () => {
      const parent = parentOf(req, scope);
      const entity = findEntity(req.state, kind, req.params['id'] as string);
      // Kong answers 204 for an entity that is already gone.
      if (entity === null || !inScope(entity, scope, parent)) return { status: 204 };
      const id = String(entity['id']);
      const draft = req.state.draft();
      cascade(draft, kind, id);
      draft.entities[kind] = draft.entities[kind].filter((e) => e['id'] !== id);
      await req.state.commitDraft(draft, '', []);
      return { status: 204 };
    });
}

/** `/kind` and `/kind/:id` (or their nested forms under `prefix`). */
export function crudRoutes(kind: KindName, prefix = '', scope: Scope | null = null): RouteDef[] {
  const base = `${prefix}/${kind}`;
  return [
    { pattern: base, methods: { GET: listHandler(kind, scope), POST: createHandler(kind, scope) } },
    {
      pattern: `${base}/:id`,
      methods: {
        GET: readHandler(kind, scope),
        PUT: putHandler(kind, scope),
        PATCH: patchHandler(kind, scope),
        DELETE: deleteHandler(kind, scope),
      },
    },
  ];
}

/** The nested forms of `kind` under `parent`: `/services/:parent/routes[/:id]`. */
export function nestedRoutes(kind: KindName, parent: KindName, field: string): RouteDef[] {
  return crudRoutes(kind, `/${parent}/:parent`, { parent, field });
}
