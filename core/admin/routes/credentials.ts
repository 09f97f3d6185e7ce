/**
 * Kong's credential endpoints (kong/plugins/<name>/api.lua and the generic DAO endpoints):
 *
 *   /consumers/{consumer}/key-auth[/{id|key}]          /key-auths[/{id|key}]
 *   /consumers/{consumer}/basic-auth[/{id|username}]   /basic-auths[/{id|username}]
 *   /consumers/{consumer}/hmac-auth[/{id|username}]    /hmac-auths[/{id|username}]
 *   /consumers/{consumer}/jwt[/{id|key}]               /jwts[/{id|key}]
 *   /consumers/{consumer}/acls[/{id|group}]            /acls[/{id}]
 *   /<top>/{id|key}/consumer                           the credential's consumer
 *
 * list and create on a collection; read, upsert (PUT), update (PATCH) and delete on one
 * credential. Under a consumer the path names it; top-level writes name it in the body
 * (`consumer`: id, username, `{ id }` or `{ username }`), and a PATCH may move a
 * credential to another consumer.
 */
import { randomUUID } from 'node:crypto';
import { bodyObject, findEntity } from '../crud.js';
import {
  CREDENTIAL_SPECS, checkUnique, commitCredential, fillGenerated, findCredential, located, viewOf, type CredentialSpec, type Located,
} from '../credentials.js';
import type { AdminRequest, Handler, RouteDef } from '../dispatch.js';
import type { Raw } from '../entities.js';
import { foreignKeyMissing, notFound, primaryKeyViolation, schemaViolation } from '../errors.js';
import { paginate } from '../pagination.js';
import { isUuid } from '../state.js';

/** The consumer the path names (nested routes), or null at the top level. */
function pathConsumer(req: AdminRequest, nested: boolean): string | null {
  if (!nested) return null;
  const consumer = findEntity(req.state, 'consumers', req.params['parent'] as string);
  if (consumer === null) throw notFound();
  return String(consumer['id']);
}

/** The consumer a top-level body names, resolved to its id (Kong's foreign key error when unknown). */
function bodyConsumer(req: AdminRequest, body: Raw): string | null {
  const value = body['consumer'];
  if (value === undefined || value === null) return null;
  let key: string | null = null;
  if (typeof value === 'string') key = value;
  else if (typeof value === 'object' && !Array.isArray(value)) {
    const ref = value as Raw;
    key = typeof ref['id'] === 'string' ? ref['id'] : typeof ref['username'] === 'string' ? ref['username'] : null;
  }
  const found = key === null ? null : findEntity(req.state, 'consumers', key);
  if (found === null) throw foreignKeyMissing('consumer', typeof value === 'object' ? (value as Raw) : isUuid(String(value)) ? { id: value } : { username: value }, 'consumers');
  return String(found['id']);
}

/** The body as a declarative credential: no consumer (the list it sits in names it), no timestamps. */
function entryOf(body: Raw, id: string): Raw {
  const { consumer: _consumer, created_at: _created, updated_at: _updated, ...rest } = body;
  return { ...rest, id };
}

function target(req: AdminRequest, spec: CredentialSpec, nested: boolean): Located {
  const found = findCredential(req.state, spec, req.params['id'] as string, pathConsumer(req, nested));
  if (found === null) throw notFound();
  return found;
}

function list(spec: CredentialSpec, nested: boolean): Handler {
  return (req) => {
    const consumerId = pathConsumer(req, nested);
    const all = located(req.state.config, spec).filter((l) => consumerId === null || l.consumerId === consumerId);
    return { status: 200, body: paginate(all.map((l) => viewOf(req.state, spec, l)), req.path, req.query) };
  };
}

async function save(req: AdminRequest, spec: CredentialSpec, replaces: string | null, consumerId: string, entry: Raw): Promise<Raw> {
  checkUnique(req.state, spec, String(entry['id']), consumerId, entry);
  const saved = await commitCredential(req.state, spec, replaces, consumerId, entry);
  if (saved === null) throw new Error(`${spec.field} ${String(entry['id'])} vanished after commit`);
  return viewOf(req.state, spec, saved);
}

function create(spec: CredentialSpec, nested: boolean): Handler {
  return (req) =>
    req.state.exclusive(async () => {
      const body = bodyObject(req);
      const consumerId = pathConsumer(req, nested) ?? bodyConsumer(req, body);
      if (consumerId === null) throw schemaViolation({ consumer: 'required field missing' }, 'schema violation (consumer: required field missing)');
      let id: string = randomUUID();
      const given = body['id'];
      if (typeof given === 'string' && isUuid(given)) {
        id = given.toLowerCase();
        if (findCredential(req.state, spec, id, null) !== null) throw primaryKeyViolation(id);
      }
      fillGenerated(spec, body);
      return { status: 201, body: await save(req, spec, null, consumerId, entryOf(body, id)) };
    });
}

function read(spec: CredentialSpec, nested: boolean): Handler {
  return (req) => ({ status: 200, body: viewOf(req.state, spec, target(req, spec, nested)) });
}

function patch(spec: CredentialSpec, nested: boolean): Handler {
  return (req) =>
    req.state.exclusive(async () => {
      const existing = target(req, spec, nested);
      const body = bodyObject(req);
      const consumerId = (nested ? null : bodyConsumer(req, body)) ?? existing.consumerId;
      const id = String(existing.entry['id']);
      return { status: 200, body: await save(req, spec, id, consumerId, entryOf({ ...existing.entry, ...body }, id)) };
    });
}

function put(spec: CredentialSpec, nested: boolean): Handler {
  return (req) =>
    req.state.exclusive(async () => {
      const key = req.params['id'] as string;
      const scope = pathConsumer(req, nested);
      const existing = findCredential(req.state, spec, key, scope);
      const body = bodyObject(req);
      const consumerId = scope ?? bodyConsumer(req, body) ?? existing?.consumerId ?? null;
      if (consumerId === null) throw schemaViolation({ consumer: 'required field missing' }, 'schema violation (consumer: required field missing)');
      let id: string;
      if (existing !== null) id = String(existing.entry['id']);
      else if (isUuid(key)) id = key.toLowerCase();
      else {
        id = randomUUID();
        body[spec.endpointKey] = key;
      }
      if (existing === null) fillGenerated(spec, body);
      return { status: 200, body: await save(req, spec, existing === null ? null : id, consumerId, entryOf(body, id)) };
    });
}

function remove(spec: CredentialSpec, nested: boolean): Handler {
  return (req) =>
    req.state.exclusive(async () => {
      const found = findCredential(req.state, spec, req.params['id'] as string, pathConsumer(req, nested));
      // Kong answers 204 for a credential that is already gone.
      if (found !== null) await commitCredential(req.state, spec, String(found.entry['id']), found.consumerId, null);
      return { status: 204 };
    });
}

function consumerOf(spec: CredentialSpec): Handler {
  return (req) => {
    const found = target(req, spec, false);
    const consumer = findEntity(req.state, 'consumers', found.consumerId);
    if (consumer === null) throw notFound();
    return { status: 200, body: consumer };
  };
}

function routesOf(spec: CredentialSpec, base: string, nested: boolean): RouteDef[] {
  return [
    { pattern: base, methods: { GET: list(spec, nested), POST: create(spec, nested) } },
    { pattern: `${base}/:id`, methods: { GET: read(spec, nested), PUT: put(spec, nested), PATCH: patch(spec, nested), DELETE: remove(spec, nested) } },
  ];
}

export function credentialRoutes(): RouteDef[] {
  return CREDENTIAL_SPECS.flatMap((spec) => [
    ...routesOf(spec, `/consumers/:parent/${spec.nested}`, true),
    ...routesOf(spec, `/${spec.top}`, false),
    { pattern: `/${spec.top}/:id/consumer`, methods: { GET: consumerOf(spec) } },
  ]);
}
