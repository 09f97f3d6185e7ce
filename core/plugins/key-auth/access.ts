/**
 * key-auth on the hot path (Kong 3.x handler semantics), materialised once per config
 * version per worker. A request on a route with key-auth runs `authenticate` before its
 * filters, AI exchange or proxying:
 *
 *   OPTIONS and run_on_preflight off ─► pass (client X-Consumer-* still stripped)
 *   for each key name: header (lower-case) ─► query argument ─► body field (key_in_body)
 *     a name present twice ─► 401 "Duplicate API key found"
 *   no key, or ''          ─► 401 "No API key found in request"
 *   hide_credentials       ─► the key's header, query argument (and body field) removed
 *   key -> credential      ─► one Map lookup; unknown ─► 401 "Unauthorized"
 *   any failure with `anonymous` ─► the anonymous consumer, X-Anonymous-Consumer: true
 *   success ─► ctx.consumer / ctx.credentialId, X-Consumer-ID, -Custom-ID, -Username,
 *              X-Credential-Identifier; the client's copies of those never pass
 *
 * When the key may be in the body (key_in_body, and the key is not in a header or the
 * query, or hide_credentials must also clean the body), `authenticate` answers NEED_BODY
 * without touching the request; the pipeline reads the body whole and calls
 * `authenticateBody`, which runs the same steps with the body at hand.
 */
import type { RequestContext } from '../../worker/context.js';
import type { CompiledAuth, CompiledKeyAuth } from '../auth-types.js';
import { materializeConsumers, setConsumerHeaders, type Consumer } from '../consumer.js';
import { BodyArguments, DUPLICATE, queryValue, queryWithout, type Found } from './arguments.js';

export const AuthVerdict = {
  PASS: 0,
  NEED_BODY: 1,
  NO_KEY: 2,
  INVALID: 3,
  DUPLICATE: 4,
} as const;
export type AuthVerdict = (typeof AuthVerdict)[keyof typeof AuthVerdict];

/** Kong 3.x wording, serialised once. */
const BODIES: Readonly<Record<number, string>> = {
  [AuthVerdict.NO_KEY]: JSON.stringify({ message: 'No API key found in request' }),
  [AuthVerdict.INVALID]: JSON.stringify({ message: 'Unauthorized' }),
  [AuthVerdict.DUPLICATE]: JSON.stringify({ message: 'Duplicate API key found' }),
};

/** The `{"message"}` body of a 401 verdict. */
export function unauthorizedBody(verdict: AuthVerdict): string {
  return BODIES[verdict] ?? (BODIES[AuthVerdict.INVALID] as string);
}

interface KeyCredential {
  readonly id: string;
  readonly consumer: Consumer;
}

/** The consumers and the key table of one config version, shared by its key-auth steps. */
export class AuthTables {
  readonly consumers: readonly Consumer[];
  readonly keys: ReadonlyMap<string, KeyCredential>;
  constructor(auth: CompiledAuth) {
    const consumers = materializeConsumers(auth.consumers);
    const keys = new Map<string, KeyCredential>();
    for (const k of auth.keyCredentials) {
      const consumer = consumers[k.consumer];
      if (consumer !== undefined) keys.set(k.key, { id: k.id, consumer });
    }
    this.consumers = consumers;
    this.keys = keys;
  }
}

/** The value of header `name` (lower-case) in a flat header list. */
function headerValue(headers: readonly string[], name: string): Found {
  let found: Found;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] !== name) continue;
    if (found !== undefined) return DUPLICATE;
    found = headers[i + 1] as string;
  }
  return found;
}

export class KeyAuth {
  readonly config: CompiledKeyAuth;
  readonly #keys: ReadonlyMap<string, KeyCredential>;
  readonly #anonymous: Consumer | null;

  constructor(config: CompiledKeyAuth, tables: AuthTables) {
    this.config = config;
    this.#keys = tables.keys;
    this.#anonymous = config.anonymous < 0 ? null : (tables.consumers[config.anonymous] ?? null);
  }

  /** Before the body: PASS, NEED_BODY, or a 401 verdict. */
  authenticate(ctx: RequestContext, scheme: 'http' | 'https'): AuthVerdict {
    const c = this.config;
    // Kong runs a plugin only on the protocols it lists.
    if (scheme === 'http' ? !c.onHttp : !c.onHttps) return AuthVerdict.PASS;
    if (!c.runOnPreflight && ctx.method === 'OPTIONS') {
      setConsumerHeaders(ctx.headers, null, null, null);
      return AuthVerdict.PASS;
    }
    return this.#run(ctx, null);
  }

  /** With the whole body read (after NEED_BODY): PASS or a 401 verdict; sets ctx.body. */
  authenticateBody(ctx: RequestContext, body: Buffer): AuthVerdict {
    ctx.body = body;
    return this.#run(ctx, body);
  }

  #run(ctx: RequestContext, body: Buffer | null): AuthVerdict {
    const c = this.config;
    const names = c.keyNames;
    let args: BodyArguments | null = null;
    let key: string | undefined;
    let index = -1;
    for (let i = 0; i < names.length; i++) {
      let v: Found;
      if (c.inHeader) v = headerValue(ctx.headers, c.headerNames[i] as string);
      if (v === undefined && c.inQuery && ctx.query.length > 0) v = queryValue(ctx.query, names[i] as string);
      if (v === undefined && c.inBody) {
        if (body === null) return AuthVerdict.NEED_BODY;
        args ??= BodyArguments.parse(ctx.header('content-type'), body);
        v = args.get(names[i] as string);
      }
      if (v === DUPLICATE) return this.#failed(ctx, AuthVerdict.DUPLICATE);
      if (v !== undefined) {
        key = v;
        index = i;
        break;
      }
    }
    let strip: string | null = null;
    if (key !== undefined && c.hideCredentials) {
      if (c.inBody && body === null) return AuthVerdict.NEED_BODY;
      const name = names[index] as string;
      strip = c.headerNames[index] as string;
      if (ctx.query.length > 0) ctx.query = queryWithout(ctx.query, name);
      if (body !== null) {
        args ??= BodyArguments.parse(ctx.header('content-type'), body);
        const cleaned = args.without(name);
        if (cleaned !== null) ctx.body = cleaned;
      }
    }
    if (key === undefined || key === '') return this.#failed(ctx, AuthVerdict.NO_KEY, strip);
    const credential = this.#keys.get(key);
    if (credential === undefined) return this.#failed(ctx, AuthVerdict.INVALID, strip);
    ctx.consumer = credential.consumer;
    ctx.credentialId = credential.id;
    setConsumerHeaders(ctx.headers, strip, credential.consumer, credential.id);
    return AuthVerdict.PASS;
  }

  /** Kong's logical OR with `anonymous`: the anonymous consumer instead of a 401. */
  #failed(ctx: RequestContext, verdict: AuthVerdict, strip: string | null = null): AuthVerdict {
    const anonymous = this.#anonymous;
    if (anonymous === null) return verdict;
    ctx.consumer = anonymous;
    ctx.credentialId = null;
    setConsumerHeaders(ctx.headers, strip, anonymous, null);
    return AuthVerdict.PASS;
  }
}

/** Per route: its key-auth step or null (no auth: the request pays nothing). */
export function materializeKeyAuth(auth: CompiledAuth, routes: readonly { keyAuth: number }[]): (KeyAuth | null)[] {
  if (auth.keyAuth.length === 0) return routes.map(() => null);
  const tables = new AuthTables(auth);
  const steps = auth.keyAuth.map((k) => new KeyAuth(k, tables));
  return routes.map((r) => (r.keyAuth < 0 ? null : (steps[r.keyAuth] ?? null)));
}
