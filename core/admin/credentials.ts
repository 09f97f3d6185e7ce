/**
 * Kong's credential entities as the admin API sees them (kong/plugins/<name>/daos.lua):
 * one spec per kind, the Kong view of each credential, lookups by id or endpoint key, and
 * the one edit every write goes through.
 *
 * Credentials live inside their consumer in the running config (the declarative format
 * nests them), so a change edits the consumer's list in a draft of the whole config, and
 * the draft goes through validate -> compile -> publish like every other admin change: a
 * bad credential is refused with its field errors and the running config stays.
 */
import { randomBytes } from 'node:crypto';
import type { NormalizedConfig } from '../config/types.js';
import type { CredentialKind } from '../config/schema/consumer.js';
import { basicAuthHash } from '../plugins/basic-auth/password-hash.js';
import { toRaw, type Raw } from './entities.js';
import { uniqueViolation } from './errors.js';
import { isUuid, type AdminState } from './state.js';

export interface CredentialSpec {
  readonly field: CredentialKind;
  /** Path segment under `/consumers/{consumer}/`. */
  readonly nested: string;
  /** Top-level collection path segment. */
  readonly top: string;
  /** What a non-uuid path key names (Kong's endpoint_key). */
  readonly endpointKey: string;
  /** The endpoint key is unique across consumers; else per consumer (acl groups). */
  readonly globalKey: boolean;
  /** The view's fields besides id, consumer, created_at (null when unset). */
  readonly fields: readonly string[];
  /** Kong's `auto` fields, generated when a new credential leaves them out. */
  readonly generated: readonly string[];
}

export const CREDENTIAL_SPECS: readonly CredentialSpec[] = [
  { field: 'keyauth_credentials', nested: 'key-auth', top: 'key-auths', endpointKey: 'key', globalKey: true, fields: ['key', 'ttl', 'tags'], generated: ['key'] },
  { field: 'basicauth_credentials', nested: 'basic-auth', top: 'basic-auths', endpointKey: 'username', globalKey: true, fields: ['username', 'password', 'tags'], generated: [] },
  { field: 'hmacauth_credentials', nested: 'hmac-auth', top: 'hmac-auths', endpointKey: 'username', globalKey: true, fields: ['username', 'secret', 'tags'], generated: ['secret'] },
  { field: 'jwt_secrets', nested: 'jwt', top: 'jwts', endpointKey: 'key', globalKey: true, fields: ['key', 'algorithm', 'secret', 'rsa_public_key', 'tags'], generated: ['key', 'secret'] },
  { field: 'acls', nested: 'acls', top: 'acls', endpointKey: 'group', globalKey: false, fields: ['group', 'tags'], generated: [] },
];

/** One stored credential and where it is. */
export interface Located {
  readonly consumerId: string;
  readonly entry: Raw;
}

/** Kong's random_string(): 32 hex characters. */
function randomString(): string {
  return randomBytes(16).toString('hex');
}

/** Every credential of a kind, in config order. */
export function located(config: NormalizedConfig, spec: CredentialSpec): Located[] {
  return config.consumers.flatMap((c) => ((c[spec.field] ?? []) as unknown as Raw[]).map((entry) => ({ consumerId: c.id, entry })));
}

/** Kong's view: the fields (null when unset), the consumer as `{ id }`, `created_at`; a basic-auth password as Kong's hash. */
export function viewOf(state: AdminState, spec: CredentialSpec, found: Located): Raw {
  const id = String(found.entry['id']);
  const view: Raw = { id, created_at: state.createdAt(id), consumer: { id: found.consumerId } };
  for (const f of spec.fields) view[f] = found.entry[f] ?? (f === 'tags' ? [] : null);
  if (spec.field === 'basicauth_credentials') view['password'] = basicAuthHash(found.consumerId, String(found.entry['password']));
  return view;
}

/** A credential by id, or by endpoint key (within `consumerId` when given; top-level acls by id only). */
export function findCredential(state: AdminState, spec: CredentialSpec, key: string, consumerId: string | null): Located | null {
  const all = located(state.config, spec).filter((l) => consumerId === null || l.consumerId === consumerId);
  if (isUuid(key)) {
    const byId = all.find((l) => l.entry['id'] === key.toLowerCase());
    if (byId !== undefined) return byId;
  }
  if (!spec.globalKey && consumerId === null) return null;
  return all.find((l) => l.entry[spec.endpointKey] === key) ?? null;
}

/** Kong's generated values for a new credential, where the body has none. */
export function fillGenerated(spec: CredentialSpec, body: Raw): void {
  for (const f of spec.generated) if (body[f] === undefined || body[f] === null) body[f] = randomString();
}

/** 409 when another credential already holds the endpoint key (per consumer for acl groups). */
export function checkUnique(state: AdminState, spec: CredentialSpec, id: string, consumerId: string, entry: Raw): void {
  const value = entry[spec.endpointKey];
  if (typeof value !== 'string') return;
  const clash = located(state.config, spec).some(
    (l) => l.entry['id'] !== id && l.entry[spec.endpointKey] === value && (spec.globalKey || l.consumerId === consumerId),
  );
  if (!clash) return;
  throw uniqueViolation(spec.globalKey ? { [spec.endpointKey]: value } : { consumer: { id: consumerId }, [spec.endpointKey]: value });
}

/**
 * Writes `entry` (a declarative credential with its id) into consumer `consumerId` in
 * place of the credential `replaces` (anywhere), or appends it; `entry` null deletes
 * `replaces`. Validates and publishes the whole config; the saved credential, or null.
 */
export async function commitCredential(state: AdminState, spec: CredentialSpec, replaces: string | null, consumerId: string, entry: Raw | null): Promise<Located | null> {
  const draft = state.draft();
  const consumers = draft.entities.consumers;
  let position = -1;
  for (const c of consumers) {
    const list = (c[spec.field] as Raw[] | undefined) ?? [];
    const i = replaces === null ? -1 : list.findIndex((e) => e['id'] === replaces);
    if (i < 0) continue;
    list.splice(i, 1);
    if (c['id'] === consumerId) position = i;
  }
  const ci = consumers.findIndex((c) => c['id'] === consumerId);
  const owner = consumers[ci];
  let focus = '';
  if (entry !== null && owner !== undefined) {
    const list = ((owner[spec.field] as Raw[] | undefined) ??= []);
    const raw = toRaw(entry);
    if (position < 0) position = list.length;
    list.splice(position, 0, raw);
    focus = `consumers[${ci}].${spec.field}[${position}]`;
  }
  for (const c of consumers) if (Array.isArray(c[spec.field]) && (c[spec.field] as Raw[]).length === 0) delete c[spec.field];
  const id = entry === null ? null : String(entry['id']);
  await state.commitDraft(draft, focus, id === null ? [] : [id]);
  return id === null ? null : findCredential(state, spec, id, null);
}
