/**
 * Consumers and their credentials. Kong's declarative format allows each credential
 * nested under its consumer or in a top-level collection (`keyauth_credentials`, `acls`,
 * …) whose items name the consumer by id or username; both end up in the consumer's
 * lists, nested ones first. Keys, basic-auth and hmac-auth usernames and JWT keys are
 * unique across all consumers (as in Kong); ACL groups are unique per consumer.
 * Secret values never appear in error messages.
 */
import { createPublicKey } from 'node:crypto';
import { keyProblem } from '../lib/jws-keys.js';
import type { RawAcl, RawBasicAuth, RawConsumer, RawCredentials, RawHmacAuth, RawJwtSecret, RawKeyAuth } from './document-types.js';
import type { NormalizeContext } from './normalize-context.js';
import type { NormalizedConsumer } from './types.js';
import { deriveId } from './ids.js';
import { joinPath } from './schema-errors.js';
import type { CredentialKind } from './schema/consumer.js';
import { JWT_DEFAULTS } from './schema/consumer.js';

export interface PlacedConsumer {
  raw: RawConsumer;
  path: string;
  id: string;
  /** The schema pass rejected it: registered and its plugins visited, but not built. */
  bad: boolean;
}

export function registerConsumers(ctx: NormalizeContext, consumers: RawConsumer[] | undefined): PlacedConsumer[] {
  const placed: PlacedConsumer[] = [];
  const customIds = new Map<string, string>();
  for (const { item, path, bad } of ctx.items(consumers, 'consumers', true)) {
    const key = typeof item.username === 'string' ? item.username : typeof item.custom_id === 'string' ? `custom_id:${item.custom_id}` : `#${path}`;
    const id = ctx.consumers.register(ctx, path, item, item.username, key, 'username');
    if (typeof item.custom_id === 'string') {
      const prev = customIds.get(item.custom_id);
      if (prev !== undefined) ctx.error(joinPath(path, 'custom_id'), `duplicate custom_id "${item.custom_id}" (also ${prev})`);
      else customIds.set(item.custom_id, path);
    }
    placed.push({ raw: item, path, id, bad });
  }
  return placed;
}

/** First-seen index for a value that must be unique; reports the duplicate. */
class Unique {
  readonly #seen = new Map<string, string>();
  check(ctx: NormalizeContext, path: string, value: string, label: string): void {
    const prev = this.#seen.get(value);
    if (prev !== undefined) ctx.error(path, `duplicate ${label} (also ${prev})`);
    else this.#seen.set(value, path);
  }
}

interface Placed<T> {
  raw: T;
  path: string;
  /** Id of the consumer it belongs to. */
  consumer: string;
}

type Item<K extends CredentialKind> = NonNullable<RawCredentials[K]>[number];

/** Every credential of one kind: nested ones (consumer from the parent), then top-level ones. */
function place<K extends CredentialKind>(ctx: NormalizeContext, kind: K, consumers: PlacedConsumer[], doc: RawCredentials): Placed<Item<K>>[] {
  const out: Placed<Item<K>>[] = [];
  for (const c of consumers) {
    if (c.bad) continue;
    for (const { item, path } of ctx.items(c.raw[kind] as Item<K>[] | undefined, joinPath(c.path, kind))) out.push({ raw: item, path, consumer: c.id });
  }
  for (const { item, path } of ctx.items(doc[kind] as Item<K>[] | undefined, kind)) {
    // The schema requires `consumer` on top-level items.
    if (item.consumer === undefined) continue;
    const consumer = ctx.consumers.resolve(ctx, joinPath(path, 'consumer'), item.consumer);
    if (consumer !== null) out.push({ raw: item, path, consumer });
  }
  return out;
}

function jwtProblems(ctx: NormalizeContext, path: string, j: RawJwtSecret, algorithm: string): void {
  if (algorithm.startsWith('HS')) {
    if (j.secret === undefined) ctx.error(joinPath(path, 'secret'), `required for ${algorithm}`);
  } else if (j.rsa_public_key === undefined) {
    ctx.error(joinPath(path, 'rsa_public_key'), `required for ${algorithm}`);
  } else {
    let problem: string | null;
    try {
      problem = keyProblem(algorithm, createPublicKey(j.rsa_public_key));
    } catch {
      problem = 'invalid PEM public key';
    }
    if (problem !== null) ctx.error(joinPath(path, 'rsa_public_key'), problem);
  }
}

/**
 * `_transform: false` tells Kong the basic-auth passwords in the file are already hashed
 * (its sha1 form, as `kong config db_export` writes them). Gatehouse reads plain
 * passwords only; taking a hash for a password would make the hash itself the password.
 */
function checkTransform(ctx: NormalizeContext, transform: boolean | undefined, basic: Placed<RawBasicAuth>[]): void {
  const first = basic[0];
  if (transform === false && first !== undefined) {
    ctx.error('_transform', `false (pre-hashed basic-auth passwords, e.g. ${first.path}) is not supported: write plain passwords and drop _transform`);
  }
}

export function buildConsumers(ctx: NormalizeContext, consumers: PlacedConsumer[], doc: RawCredentials & { _transform?: boolean }): NormalizedConsumer[] {
  const out: NormalizedConsumer[] = [];
  const byId = new Map<string, NormalizedConsumer>();
  for (const { raw, path, id, bad } of consumers) {
    if (bad) continue;
    if (raw.username === undefined && raw.custom_id === undefined) {
      ctx.error(path, 'must set at least one of username, custom_id');
      continue;
    }
    const consumer: NormalizedConsumer = {
      id,
      username: raw.username ?? null,
      custom_id: raw.custom_id ?? null,
      tags: raw.tags ?? [],
      keyauth_credentials: [],
      basicauth_credentials: [],
      hmacauth_credentials: [],
      acls: [],
      jwt_secrets: [],
    };
    out.push(consumer);
    byId.set(id, consumer);
  }

  const keys = new Unique();
  for (const { raw, path, consumer } of place(ctx, 'keyauth_credentials', consumers, doc) as Placed<RawKeyAuth>[]) {
    keys.check(ctx, joinPath(path, 'key'), raw.key, 'key');
    byId.get(consumer)?.keyauth_credentials?.push({
      id: raw.id?.toLowerCase() ?? deriveId('keyauth_credential', raw.key),
      key: raw.key,
      ttl: raw.ttl ?? null,
      tags: raw.tags ?? [],
    });
  }

  const basicUsernames = new Unique();
  const basic = place(ctx, 'basicauth_credentials', consumers, doc) as Placed<RawBasicAuth>[];
  checkTransform(ctx, doc._transform, basic);
  for (const { raw, path, consumer } of basic) {
    basicUsernames.check(ctx, joinPath(path, 'username'), raw.username, `basic-auth username "${raw.username}"`);
    byId.get(consumer)?.basicauth_credentials?.push({
      id: raw.id?.toLowerCase() ?? deriveId('basicauth_credential', raw.username),
      username: raw.username,
      password: raw.password,
      tags: raw.tags ?? [],
    });
  }

  const hmacUsernames = new Unique();
  for (const { raw, path, consumer } of place(ctx, 'hmacauth_credentials', consumers, doc) as Placed<RawHmacAuth>[]) {
    hmacUsernames.check(ctx, joinPath(path, 'username'), raw.username, `hmac-auth username "${raw.username}"`);
    byId.get(consumer)?.hmacauth_credentials?.push({
      id: raw.id?.toLowerCase() ?? deriveId('hmacauth_credential', raw.username),
      username: raw.username,
      secret: raw.secret,
      tags: raw.tags ?? [],
    });
  }

  const jwtKeys = new Unique();
  for (const { raw, path, consumer } of place(ctx, 'jwt_secrets', consumers, doc) as Placed<RawJwtSecret>[]) {
    const algorithm = raw.algorithm ?? JWT_DEFAULTS.algorithm;
    jwtKeys.check(ctx, joinPath(path, 'key'), raw.key, `jwt key "${raw.key}"`);
    jwtProblems(ctx, path, raw, algorithm);
    byId.get(consumer)?.jwt_secrets?.push({
      id: raw.id?.toLowerCase() ?? deriveId('jwt_secret', raw.key),
      key: raw.key,
      algorithm,
      secret: raw.secret ?? null,
      rsa_public_key: raw.rsa_public_key ?? null,
      tags: raw.tags ?? [],
    });
  }

  const groups = new Map<string, Unique>();
  for (const { raw, path, consumer } of place(ctx, 'acls', consumers, doc) as Placed<RawAcl>[]) {
    let unique = groups.get(consumer);
    if (unique === undefined) groups.set(consumer, (unique = new Unique()));
    unique.check(ctx, joinPath(path, 'group'), raw.group, `group "${raw.group}"`);
    byId.get(consumer)?.acls?.push({ id: raw.id?.toLowerCase() ?? deriveId('acl', `${consumer}\0${raw.group}`), group: raw.group, tags: raw.tags ?? [] });
  }
  return out;
}
