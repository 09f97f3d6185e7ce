/**
 * basic-auth on the request path (Kong 3.x access.lua semantics):
 *
 *   neither Authorization nor Proxy-Authorization ─► 401 "Unauthorized"
 *   Proxy-Authorization, then Authorization: `Basic <base64(username:password)>`
 *     (each header looked at is removed under hide_credentials)
 *   username -> credential: one Map lookup; the password's SHA-1 (salted with the
 *   consumer id, Kong's hash) compared in constant time with the stored one
 *   any failure ─► 401 "Unauthorized" + WWW-Authenticate: Basic realm="…",
 *                  or the anonymous consumer when `anonymous` is set
 *   success ─► X-Consumer-ID/-Custom-ID/-Username, X-Credential-Identifier: the username
 *
 * With `anonymous`, a request an earlier auth plugin already authenticated passes
 * untouched (Kong's logical OR).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeBase64Strict } from '../../lib/base64.js';
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { anonymousConsumer, authenticatedBefore, credentialTable, refuse, type Consumer } from '../consumer.js';
import type { BasicAuthShared, CompiledBasicAuth } from './definition.js';

const UNAUTHORIZED = { message: 'Unauthorized' };
/** Kong matches `\s*[Bb]asic\s*(.+)` anywhere in the value; the leading \s* changes nothing unanchored. */
const BASIC = /[Bb]asic\s*(.+)/;
const COLON = 58;
const LF = 10;

interface BasicCredential {
  readonly id: string;
  readonly username: string;
  readonly consumer: Consumer;
  /** The consumer id's bytes: Kong's salt, appended to the password. */
  readonly salt: Buffer;
  /** SHA-1 of password + salt. */
  readonly hash: Buffer;
}

type CredentialTable = ReadonlyMap<string, BasicCredential>;

/** Hashed for a username no credential has, so a miss costs what a wrong password costs. */
const DUMMY_SALT = Buffer.from('00000000-0000-0000-0000-000000000000');

interface Given {
  username: string;
  password: Buffer;
}

/**
 * Username and password from one header value, as Kong reads them: base64 (nginx's strict
 * decoder) of `username:password`, matched by `([^:]+):(.*)` — so leading colons are
 * skipped, the username ends at the first colon and the password at a line feed.
 */
export function parseBasic(value: string | undefined): Given | null {
  if (value === undefined) return null;
  const m = BASIC.exec(value);
  if (m === null) return null;
  const decoded = decodeBase64Strict(m[1] as string);
  if (decoded === null) return null;
  let start = 0;
  while (start < decoded.length && decoded[start] === COLON) start++;
  const colon = decoded.indexOf(COLON, start);
  if (start === decoded.length || colon < 0) return null;
  let end = decoded.indexOf(LF, colon + 1);
  if (end < 0) end = decoded.length;
  return { username: decoded.toString('utf8', start, colon), password: decoded.subarray(colon + 1, end) };
}

function matches(credential: BasicCredential, password: Buffer): boolean {
  const digest = createHash('sha1').update(password).update(credential.salt).digest();
  return timingSafeEqual(digest, credential.hash);
}

class BasicAuthHandler implements PluginHandler {
  readonly #c: CompiledBasicAuth;
  readonly #credentials: CredentialTable;
  readonly #anonymous: Consumer | null;
  readonly #challenge: readonly string[];

  constructor(c: CompiledBasicAuth, credentials: CredentialTable, anonymous: Consumer | null) {
    this.#c = c;
    this.#credentials = credentials;
    this.#anonymous = anonymous;
    this.#challenge = ['www-authenticate', c.wwwAuthenticate];
  }

  access(req: PluginRequest): void {
    if (authenticatedBefore(req, this.#anonymous)) return;
    if (!this.#authenticate(req)) refuse(req, this.#anonymous, 401, UNAUTHORIZED, this.#challenge);
  }

  #authenticate(req: PluginRequest): boolean {
    const proxyValue = req.header('proxy-authorization');
    const value = req.header('authorization');
    if (proxyValue === undefined && value === undefined) return false;
    const hide = this.#c.hideCredentials;
    let given = parseBasic(proxyValue);
    if (hide && proxyValue !== undefined) req.removeHeader('proxy-authorization');
    let credential = given === null ? undefined : this.#credentials.get(given.username);
    if (credential === undefined) {
      given = parseBasic(value);
      if (hide && value !== undefined) req.removeHeader('authorization');
      credential = given === null ? undefined : this.#credentials.get(given.username);
    }
    if (given === null) return false;
    if (credential === undefined) {
      createHash('sha1').update(given.password).update(DUMMY_SALT).digest();
      return false;
    }
    if (!matches(credential, given.password)) return false;
    req.authenticate(credential.consumer, credential.id, credential.username);
    return true;
  }
}

export const handler: PluginHandlerModule<CompiledBasicAuth, CredentialTable> = {
  name: 'basic-auth',
  shared: (data, env) =>
    credentialTable(
      (data as BasicAuthShared).credentials,
      env,
      (c) => c.username,
      (c, consumer) => ({ id: c.id, username: c.username, consumer, salt: Buffer.from(consumer.id), hash: Buffer.from(c.hash, 'hex') }),
    ),
  create: (config, env, credentials) => new BasicAuthHandler(config, credentials, anonymousConsumer(env, config.anonymous)),
};
