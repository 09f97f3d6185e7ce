/**
 * hmac-auth on the request path (Kong 3.x access.lua semantics), access phase:
 *
 *   neither Authorization nor Proxy-Authorization ─► 401 "Unauthorized"
 *   no Date / X-Date within clock_skew seconds ─► "HMAC signature cannot be verified, a
 *     valid date or x-date header is required for HMAC Authentication"
 *   signature params from Proxy-Authorization, else Authorization (the one used is removed
 *     under hide_credentials)
 *   enforce_headers not all signed, algorithm not allowed, unknown username
 *     ─► "HMAC signature cannot be verified"
 *   signature over the listed headers (`name: value` lines; `request-line` is
 *     `METHOD /path?query HTTP/1.1`), compared in constant time ─► "HMAC signature does not match"
 *   validate_request_body: Digest `SHA-256=<base64>` of the body (none: the body must be
 *     empty) ─► "HMAC signature does not match"; the body is read whole first
 *   success ─► the consumer; X-Credential-Identifier: the username
 *
 * Every 401 carries WWW-Authenticate: `hmac` (+ ` realm="…"`). With `anonymous`, failures
 * go on as the anonymous consumer, and a request an earlier auth plugin authenticated
 * passes untouched (Kong's logical OR).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { decodeBase64Strict } from '../../lib/base64.js';
import { parseHttpDate } from '../../lib/http-date.js';
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { anonymousConsumer, authenticatedBefore, credentialTable, refuse, type Consumer } from '../consumer.js';
import type { CompiledHmacAuth, HmacAuthShared } from './definition.js';
import { parseHmacParams, type HmacParams } from './params.js';

const UNAUTHORIZED = { message: 'Unauthorized' };
const NO_DATE = { message: 'HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication' };
const NOT_VALID = { message: 'HMAC signature cannot be verified' };
const NOT_SAME = { message: 'HMAC signature does not match' };

const DIGESTS: Readonly<Record<string, string>> = {
  'hmac-sha1': 'sha1',
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
};

interface HmacCredential {
  readonly id: string;
  readonly username: string;
  readonly secret: Buffer;
  readonly consumer: Consumer;
}

type CredentialTable = ReadonlyMap<string, HmacCredential>;

/** A header as kong.request.get_header finds it: case-insensitive, `_` read as `-`. */
function headerValue(req: PluginRequest, name: string): string | undefined {
  return req.header(name.toLowerCase().replace(/_/g, '-'));
}

function withinSkew(req: PluginRequest, name: string, skew: number): boolean {
  const value = req.header(name);
  if (value === undefined) return false;
  const time = parseHttpDate(value);
  return time !== null && Math.abs(Date.now() / 1000 - time) <= skew;
}

/** The signing string: one `name: value` line per listed header (`name:` when absent). */
function signingString(req: PluginRequest, params: HmacParams, uri: string): string {
  let out = '';
  const names = params.headers;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const value = headerValue(req, name);
    if (value !== undefined) out += `${name}: ${value}`;
    else if (name === 'request-line') out += `${req.method} ${uri} HTTP/1.1`;
    else out += `${name}:`;
    if (i < names.length - 1) out += '\n';
  }
  return out;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function validBody(req: PluginRequest, body: Buffer): boolean {
  const received = req.header('digest');
  if (received === undefined) return body.length === 0;
  return received === `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
}

class HmacAuthHandler implements PluginHandler {
  readonly #c: CompiledHmacAuth;
  readonly #credentials: CredentialTable;
  readonly #anonymous: Consumer | null;
  readonly #algorithms: ReadonlySet<string>;
  readonly #challenge: readonly string[];

  constructor(c: CompiledHmacAuth, credentials: CredentialTable, anonymous: Consumer | null) {
    this.#c = c;
    this.#credentials = credentials;
    this.#anonymous = anonymous;
    this.#algorithms = new Set(c.algorithms);
    this.#challenge = ['www-authenticate', c.wwwAuthenticate];
  }

  access(req: PluginRequest): void | Promise<void> {
    if (authenticatedBefore(req, this.#anonymous)) return;
    const credential = this.#check(req);
    if (credential === null) return;
    if (!this.#c.validateRequestBody) return this.#pass(req, credential);
    const body = req.readBody();
    if (body instanceof Promise) return body.then((b) => this.#finish(req, credential, b));
    this.#finish(req, credential, body);
  }

  #finish(req: PluginRequest, credential: HmacCredential, body: Buffer): void {
    if (validBody(req, body)) this.#pass(req, credential);
    else this.#fail(req, NOT_SAME);
  }

  #pass(req: PluginRequest, credential: HmacCredential): void {
    req.authenticate(credential.consumer, credential.id, credential.username);
  }

  #fail(req: PluginRequest, body: Record<string, unknown>): null {
    refuse(req, this.#anonymous, 401, body, this.#challenge);
    return null;
  }

  /** Everything but the body: the credential whose signature matched, or null (answered). */
  #check(req: PluginRequest): HmacCredential | null {
    const c = this.#c;
    const proxyValue = req.header('proxy-authorization');
    const value = req.header('authorization');
    if (proxyValue === undefined && value === undefined) return this.#fail(req, UNAUTHORIZED);
    if (!withinSkew(req, 'x-date', c.clockSkew) && !withinSkew(req, 'date', c.clockSkew)) return this.#fail(req, NO_DATE);
    let params = proxyValue === undefined ? null : parseHmacParams(proxyValue);
    if (params === null) {
      params = value === undefined ? null : parseHmacParams(value);
      if (c.hideCredentials) req.removeHeader('authorization');
    } else if (c.hideCredentials) {
      req.removeHeader('proxy-authorization');
    }
    if (params === null || !this.#acceptable(params)) return this.#fail(req, NOT_VALID);
    const credential = this.#credentials.get(params.username);
    if (credential === undefined) return this.#fail(req, NOT_VALID);
    if (!this.#signatureMatches(req, params, credential)) return this.#fail(req, NOT_SAME);
    return credential;
  }

  /** Kong's validate_params: every enforced header signed, and an allowed algorithm. */
  #acceptable(params: HmacParams): boolean {
    for (const name of this.#c.enforceHeaders) if (!params.headers.includes(name)) return false;
    return this.#algorithms.has(params.algorithm);
  }

  #signatureMatches(req: PluginRequest, params: HmacParams, credential: HmacCredential): boolean {
    const given = decodeBase64Strict(params.signature);
    if (given === null) return false;
    const digest = DIGESTS[params.algorithm] as string;
    const uri = req.query.length > 0 ? `${req.url}?${req.query}` : req.url;
    const expected = createHmac(digest, credential.secret).update(signingString(req, params, uri)).digest();
    if (sameBytes(expected, given)) return true;
    // Kong still accepts a request-line signed over the normalised path without the query
    // (deprecated by Kong PR 3339); only a signature covering the request-line can differ.
    if (!params.headers.includes('request-line') || uri === req.path) return false;
    return sameBytes(createHmac(digest, credential.secret).update(signingString(req, params, req.path)).digest(), given);
  }
}

export const handler: PluginHandlerModule<CompiledHmacAuth, CredentialTable> = {
  name: 'hmac-auth',
  shared: (data, env) =>
    credentialTable(
      (data as HmacAuthShared).credentials,
      env,
      (c) => c.username,
      (c, consumer) => ({ id: c.id, username: c.username, secret: Buffer.from(c.secret), consumer }),
    ),
  create: (config, env, credentials) => new HmacAuthHandler(config, credentials, anonymousConsumer(env, config.anonymous)),
};
