/**
 * jwt on the request path (Kong 3.x handler.lua semantics), access phase:
 *
 *   OPTIONS and run_on_preflight off ─► pass (the client's X-Consumer-* still stripped)
 *   tokens (query, cookies, Bearer headers): none ─► 401 "Unauthorized"
 *     two different ─► "Multiple tokens provided"; `?jwt` ─► "Unrecognizable token"
 *   parse ─► "Bad token; invalid JSON | invalid alg | invalid signature"
 *   key claim (claims, then protected header): absent ─► "No mandatory '<claim>' in claims",
 *     '' ─► "Invalid '<claim>' in claims", no credential ─► "No credentials found for given '<claim>'"
 *   header alg ≠ credential algorithm ─► "Invalid algorithm"
 *   no usable secret/key (e.g. secret_is_base64 and a secret that is not) ─► "Invalid key/secret"
 *   signature ─► "Invalid signature"
 *   claims_to_verify / maximum_expiration ─► 401 with the claim errors as the body:
 *     {"exp": "token expired" | "must be a number" | "exceeds maximum allowed expiration"},
 *     {"nbf": "token not valid yet" | "must be a number"}
 *   success ─► the consumer; X-Credential-Identifier: the credential's key
 *
 * Every 401 carries WWW-Authenticate: `Bearer` (+ ` realm="…"`), with
 * ` error="invalid_token"` once a token was found. With `anonymous`, failures go on as
 * the anonymous consumer, and a request an earlier auth plugin authenticated passes
 * untouched (Kong's logical OR). Keys are imported once per credential (handler.shared).
 */
import { decodeBase64Strict } from '../../lib/base64.js';
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { anonymousConsumer, authenticatedBefore, credentialTable, refuse, setConsumerHeaders, type Consumer } from '../consumer.js';
import type { CompiledJwt, JwtShared } from './definition.js';
import { importKey, verifySignature, type VerifyKey } from './signature.js';
import { FoundTokens, TokenCount, findTokens } from './sources.js';
import { field, parseToken } from './token.js';

interface JwtCredential {
  readonly id: string;
  readonly key: string;
  readonly algorithm: string;
  readonly consumer: Consumer;
  /** The secret as written (HS*) or the public key. */
  readonly plain: VerifyKey | null;
  /** The secret base64-decoded (secret_is_base64); null when it does not decode, or for a public key. */
  readonly decoded: VerifyKey | null;
}

type CredentialTable = ReadonlyMap<string, JwtCredential>;

/** The request path is synchronous: one collector per worker, reset per request. */
const found = new FoundTokens();

const UNAUTHORIZED = { message: 'Unauthorized' };
const MULTIPLE = { message: 'Multiple tokens provided' };
const UNRECOGNIZABLE = { message: 'Unrecognizable token' };
const BAD_ALGORITHM = { message: 'Invalid algorithm' };
const BAD_KEY = { message: 'Invalid key/secret' };
const BAD_SIGNATURE = { message: 'Invalid signature' };

class JwtHandler implements PluginHandler {
  readonly #c: CompiledJwt;
  readonly #credentials: CredentialTable;
  readonly #anonymous: Consumer | null;
  readonly #challenge: readonly string[];
  readonly #challengeInvalid: readonly string[];
  readonly #messages: { missing: object; empty: object; unknown: object };

  constructor(c: CompiledJwt, credentials: CredentialTable, anonymous: Consumer | null) {
    this.#c = c;
    this.#credentials = credentials;
    this.#anonymous = anonymous;
    this.#challenge = ['www-authenticate', c.wwwAuthenticate];
    this.#challengeInvalid = ['www-authenticate', c.wwwAuthenticateInvalid];
    const claim = c.keyClaim;
    this.#messages = {
      missing: { message: `No mandatory '${claim}' in claims` },
      empty: { message: `Invalid '${claim}' in claims` },
      unknown: { message: `No credentials found for given '${claim}'` },
    };
  }

  access(req: PluginRequest): void {
    if (!this.#c.runOnPreflight && req.method === 'OPTIONS') {
      // Unauthenticated, so the client's consumer headers must not pass as the gateway's.
      setConsumerHeaders(req.headers as string[], null, null, null);
      return;
    }
    if (authenticatedBefore(req, this.#anonymous)) return;
    findTokens(this.#c, req, found);
    if (found.count === TokenCount.NONE) return this.#fail(req, UNAUTHORIZED, this.#challenge);
    if (found.count === TokenCount.MANY) return this.#fail(req, MULTIPLE);
    const text = found.first;
    if (typeof text !== 'string') return this.#fail(req, UNRECOGNIZABLE);
    this.#verify(req, text);
  }

  #verify(req: PluginRequest, text: string): void {
    const c = this.#c;
    const token = parseToken(text);
    if (typeof token === 'string') return this.#fail(req, { message: `Bad token; ${token}` });
    let keyValue = field(token.claims, c.keyClaim);
    if (keyValue === undefined || keyValue === false || keyValue === null) keyValue = field(token.header, c.keyClaim);
    if (keyValue === undefined || keyValue === false || keyValue === null) return this.#fail(req, this.#messages.missing);
    if (keyValue === '') return this.#fail(req, this.#messages.empty);
    const credential = typeof keyValue === 'string' ? this.#credentials.get(keyValue) : undefined;
    if (credential === undefined) return this.#fail(req, this.#messages.unknown);
    if (token.alg !== credential.algorithm) return this.#fail(req, BAD_ALGORITHM);
    const key = c.secretIsBase64 ? credential.decoded : credential.plain;
    if (key === null) return this.#fail(req, BAD_KEY);
    if (!verifySignature(key, token.signingInput, token.signature)) return this.#fail(req, BAD_SIGNATURE);
    const errors = this.#claimErrors(token.claims);
    if (errors !== null) return this.#fail(req, errors);
    req.authenticate(credential.consumer, credential.id, credential.key);
  }

  /** Kong's verify_registered_claims then check_maximum_expiration: the error table, or null. */
  #claimErrors(claims: Record<string, unknown>): Record<string, unknown> | null {
    const c = this.#c;
    if (c.claimsToVerify.length === 0) return null;
    const now = Math.floor(Date.now() / 1000);
    let errors: Record<string, unknown> | null = null;
    for (const name of c.claimsToVerify) {
      const value = field(claims, name);
      let problem: string | null = null;
      if (typeof value !== 'number') problem = 'must be a number';
      else if (name === 'exp' && value <= now) problem = 'token expired';
      else if (name === 'nbf' && value > now) problem = 'token not valid yet';
      if (problem !== null) (errors ??= {})[name] = problem;
    }
    if (errors !== null || c.maximumExpiration <= 0) return errors;
    const exp = field(claims, 'exp') as number;
    return exp - now > c.maximumExpiration ? { exp: 'exceeds maximum allowed expiration' } : null;
  }

  /** A token was there but does not authenticate (or none was: `challenge` without the error). */
  #fail(req: PluginRequest, body: object, challenge: readonly string[] = this.#challengeInvalid): void {
    refuse(req, this.#anonymous, 401, body as Record<string, unknown>, challenge);
  }
}

function credentialOf(c: JwtShared['credentials'][number], consumer: Consumer): JwtCredential {
  const hmac = c.algorithm.startsWith('HS');
  const material = hmac ? c.secret : c.publicKey;
  // Kong base64-decodes whatever the credential holds under secret_is_base64; a PEM key
  // never decodes (its newlines are outside the alphabet), so it is "Invalid key/secret".
  const decoded = material === null ? null : decodeBase64Strict(material, true);
  return {
    id: c.id,
    key: c.key,
    algorithm: c.algorithm,
    consumer,
    plain: importKey(c.algorithm, material),
    decoded: hmac && decoded !== null ? importKey(c.algorithm, decoded) : null,
  };
}

export const handler: PluginHandlerModule<CompiledJwt, CredentialTable> = {
  name: 'jwt',
  shared: (data, env) => credentialTable((data as JwtShared).credentials, env, (c) => c.key, credentialOf),
  create: (config, env, credentials) => new JwtHandler(config, credentials, anonymousConsumer(env, config.anonymous)),
};
