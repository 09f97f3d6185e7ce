/**
 * Consumers and their nested credentials. Keys, basic-auth usernames and JWT keys are
 * unique across all consumers (as in Kong); ACL groups are unique per consumer.
 * Secret values never appear in error messages.
 */
import { createPublicKey } from 'node:crypto';
import type { RawConsumer } from './document-types.js';
import type { NormalizeContext } from './normalize-context.js';
import type { NormalizedConsumer } from './types.js';
import { deriveId } from './ids.js';
import { joinPath } from './schema-errors.js';
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
  check(ctx: NormalizeContext, path: string, value: string, label: string): boolean {
    const prev = this.#seen.get(value);
    if (prev !== undefined) {
      ctx.error(path, `duplicate ${label} (also ${prev})`);
      return false;
    }
    this.#seen.set(value, path);
    return true;
  }
}

export function buildConsumers(ctx: NormalizeContext, consumers: PlacedConsumer[]): NormalizedConsumer[] {
  const keys = new Unique();
  const usernames = new Unique();
  const jwtKeys = new Unique();
  const out: NormalizedConsumer[] = [];
  for (const { raw, path, id, bad } of consumers) {
    if (bad) continue;
    const before = ctx.errors.length;
    if (raw.username === undefined && raw.custom_id === undefined) ctx.error(path, 'must set at least one of username, custom_id');

    const keyauthPath = joinPath(path, 'keyauth_credentials');
    const keyauth = (raw.keyauth_credentials ?? []).map((c, i) => {
      keys.check(ctx, joinPath(joinPath(keyauthPath, i), 'key'), c.key, 'key');
      return { id: c.id?.toLowerCase() ?? deriveId('keyauth_credential', `${id}\0${i}`), key: c.key, ttl: c.ttl ?? null, tags: c.tags ?? [] };
    });
    const basicPath = joinPath(path, 'basicauth_credentials');
    const basic = (raw.basicauth_credentials ?? []).map((c, i) => {
      usernames.check(ctx, joinPath(joinPath(basicPath, i), 'username'), c.username, `basic-auth username "${c.username}"`);
      return { id: c.id?.toLowerCase() ?? deriveId('basicauth_credential', c.username), username: c.username, password: c.password, tags: c.tags ?? [] };
    });
    const groups = new Unique();
    const aclPath = joinPath(path, 'acls');
    const acls = (raw.acls ?? []).map((a, i) => {
      groups.check(ctx, joinPath(joinPath(aclPath, i), 'group'), a.group, `group "${a.group}"`);
      return { id: a.id?.toLowerCase() ?? deriveId('acl', `${id}\0${a.group}`), group: a.group, tags: a.tags ?? [] };
    });
    const jwtPath = joinPath(path, 'jwt_secrets');
    const jwts = (raw.jwt_secrets ?? []).map((j, i) => {
      const p = joinPath(jwtPath, i);
      const algorithm = j.algorithm ?? JWT_DEFAULTS.algorithm;
      jwtKeys.check(ctx, joinPath(p, 'key'), j.key, `jwt key "${j.key}"`);
      if (algorithm.startsWith('HS')) {
        if (j.secret === undefined) ctx.error(joinPath(p, 'secret'), `required for ${algorithm}`);
      } else if (j.rsa_public_key === undefined) {
        ctx.error(joinPath(p, 'rsa_public_key'), `required for ${algorithm}`);
      } else {
        try {
          createPublicKey(j.rsa_public_key);
        } catch {
          ctx.error(joinPath(p, 'rsa_public_key'), 'invalid PEM public key');
        }
      }
      return {
        id: j.id?.toLowerCase() ?? deriveId('jwt_secret', j.key),
        key: j.key,
        algorithm,
        secret: j.secret ?? null,
        rsa_public_key: j.rsa_public_key ?? null,
        tags: j.tags ?? [],
      };
    });
    if (ctx.errors.length > before) continue;
    out.push({
      id,
      username: raw.username ?? null,
      custom_id: raw.custom_id ?? null,
      tags: raw.tags ?? [],
      keyauth_credentials: keyauth,
      basicauth_credentials: basic,
      acls,
      jwt_secrets: jwts,
    });
  }
  return out;
}
