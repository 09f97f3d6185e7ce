/**
 * key-auth on the request path (Kong 3.x handler semantics), access phase:
 *
 *   OPTIONS and run_on_preflight off ─► pass (client X-Consumer-* still stripped)
 *   for each key name: header (lower-case) ─► query argument ─► body field (key_in_body)
 *     a name present twice ─► 401 "Duplicate API key found"
 *   no key, or ''          ─► 401 "No API key found in request"
 *   hide_credentials       ─► the key's header, query argument (and body field) removed
 *   key -> credential      ─► one Map lookup; unknown ─► 401 "Unauthorized"
 *   any failure with `anonymous` ─► the anonymous consumer, X-Anonymous-Consumer: true
 *   `anonymous` and an earlier auth plugin already authenticated ─► pass (Kong's logical OR)
 *   success ─► the consumer, X-Consumer-ID, -Custom-ID, -Username,
 *              X-Credential-Identifier; the client's copies of those never pass
 *
 * When the key may be in the body (key_in_body and not found in a header or the query,
 * or hide_credentials must also clean the body), the body is read whole first: the
 * access step returns a promise and the chain waits.
 */
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { anonymousConsumer, authenticatedBefore, credentialTable, setConsumerHeaders, type Consumer } from '../consumer.js';
import { BodyArguments, DUPLICATE, queryValue, queryWithout, type Found } from './arguments.js';
import type { CompiledKeyAuth, KeyAuthShared } from './definition.js';

const Verdict = { PASS: 0, NEED_BODY: 1, NO_KEY: 2, INVALID: 3, DUPLICATE: 4 } as const;
type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** Kong 3.x wording. */
const MESSAGES: Readonly<Record<number, string>> = {
  [Verdict.NO_KEY]: 'No API key found in request',
  [Verdict.INVALID]: 'Unauthorized',
  [Verdict.DUPLICATE]: 'Duplicate API key found',
};

interface KeyCredential {
  readonly id: string;
  readonly consumer: Consumer;
}

type KeyTable = ReadonlyMap<string, KeyCredential>;

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

class KeyAuthHandler implements PluginHandler {
  readonly #c: CompiledKeyAuth;
  readonly #keys: KeyTable;
  readonly #anonymous: Consumer | null;
  readonly #challenge: string[];

  constructor(c: CompiledKeyAuth, keys: KeyTable, anonymous: Consumer | null) {
    this.#c = c;
    this.#keys = keys;
    this.#anonymous = anonymous;
    this.#challenge = ['www-authenticate', c.wwwAuthenticate];
  }

  access(req: PluginRequest): void | Promise<void> {
    if (!this.#c.runOnPreflight && req.method === 'OPTIONS') {
      setConsumerHeaders(req.headers as string[], null, null, null);
      return;
    }
    if (authenticatedBefore(req, this.#anonymous)) return;
    const verdict = this.#run(req, null);
    if (verdict !== Verdict.NEED_BODY) return this.#conclude(req, verdict);
    const body = req.readBody();
    if (body instanceof Promise) return body.then((b) => this.#conclude(req, this.#run(req, b)));
    return this.#conclude(req, this.#run(req, body));
  }

  #conclude(req: PluginRequest, verdict: Verdict): void {
    if (verdict !== Verdict.PASS) req.exit(401, { message: MESSAGES[verdict] ?? 'Unauthorized' }, this.#challenge);
  }

  #run(req: PluginRequest, body: Buffer | null): Verdict {
    const c = this.#c;
    const names = c.keyNames;
    let args: BodyArguments | null = null;
    let key: string | undefined;
    let index = -1;
    for (let i = 0; i < names.length; i++) {
      let v: Found;
      if (c.inHeader) v = headerValue(req.headers, c.headerNames[i] as string);
      if (v === undefined && c.inQuery && req.query.length > 0) v = queryValue(req.query, names[i] as string);
      if (v === undefined && c.inBody) {
        if (body === null) return Verdict.NEED_BODY;
        args ??= BodyArguments.parse(req.header('content-type'), body);
        v = args.get(names[i] as string);
      }
      if (v === DUPLICATE) return this.#failed(req, Verdict.DUPLICATE);
      if (v !== undefined) {
        key = v;
        index = i;
        break;
      }
    }
    let strip: string | null = null;
    if (key !== undefined && c.hideCredentials) {
      if (c.inBody && body === null) return Verdict.NEED_BODY;
      const name = names[index] as string;
      strip = c.headerNames[index] as string;
      if (req.query.length > 0) req.setQuery(queryWithout(req.query, name));
      if (body !== null) {
        args ??= BodyArguments.parse(req.header('content-type'), body);
        const cleaned = args.without(name);
        if (cleaned !== null) req.setBody(cleaned);
      }
    }
    if (key === undefined || key === '') return this.#failed(req, Verdict.NO_KEY, strip);
    const credential = this.#keys.get(key);
    if (credential === undefined) return this.#failed(req, Verdict.INVALID, strip);
    if (strip !== null) req.removeHeader(strip);
    req.authenticate(credential.consumer, credential.id);
    return Verdict.PASS;
  }

  /** Kong's logical OR with `anonymous`: the anonymous consumer instead of a 401. */
  #failed(req: PluginRequest, verdict: Verdict, strip: string | null = null): Verdict {
    const anonymous = this.#anonymous;
    if (anonymous === null) return verdict;
    if (strip !== null) req.removeHeader(strip);
    req.authenticate(anonymous, null);
    return Verdict.PASS;
  }
}

export const handler: PluginHandlerModule<CompiledKeyAuth, KeyTable> = {
  name: 'key-auth',
  shared: (data, env) => credentialTable((data as KeyAuthShared).keys, env, (k) => k.key, (k, consumer) => ({ id: k.id, consumer })),
  create: (config, env, keys) => new KeyAuthHandler(config, keys, anonymousConsumer(env, config.anonymous)),
};
