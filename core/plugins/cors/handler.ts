/**
 * cors on the request path (Kong 3.x semantics):
 *
 *   access    an OPTIONS request with Origin and Access-Control-Request-Method is a
 *             preflight: answered 200 here with Allow-Origin/-Credentials/-Headers/
 *             -Methods/-Max-Age (unless preflight_continue: then it goes upstream and no
 *             CORS header is added to its answer)
 *   response  every other response gets Access-Control-Allow-Origin (and Vary: Origin
 *             unless any origin is allowed), -Allow-Credentials, -Expose-Headers
 *
 * Request origins are normalised once per distinct value (a bounded per-worker cache).
 */
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import type { ResponseHead } from '../response-head.js';
import type { CompiledCors } from './definition.js';
import { normalizeOrigin, type NormalizedOrigin } from './origin.js';

const ACAO = 'access-control-allow-origin';
const ACAC = 'access-control-allow-credentials';
const DEFAULT_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT';
/** Marks a request whose preflight was handled (or delegated): no response headers. */
const SKIP = true;

const CACHE_LIMIT = 10_000;
const origins = new Map<string, NormalizedOrigin>();

function normalized(origin: string): NormalizedOrigin {
  let n = origins.get(origin);
  if (n === undefined) {
    if (origins.size >= CACHE_LIMIT) origins.clear();
    n = normalizeOrigin(origin);
    origins.set(origin, n);
  }
  return n;
}

interface Rule {
  domain: string | null;
  regex: RegExp | null;
  byHost: boolean;
}

/** Where the CORS headers go: the preflight's own list, or the response head. */
interface HeaderSink {
  set(name: string, value: string): void;
  remove(name: string): void;
}

class ListSink implements HeaderSink {
  readonly list: string[] = [];
  set(name: string, value: string): void {
    this.remove(name);
    this.list.push(name, value);
  }
  remove(name: string): void {
    const i = this.list.indexOf(name);
    if (i >= 0 && i % 2 === 0) this.list.splice(i, 2);
  }
}

/** Vary: Origin — set on a preflight, added to a response (it may vary on more). */
function vary(out: HeaderSink | ResponseHead): void {
  if (out instanceof ListSink) out.set('vary', 'Origin');
  else (out as ResponseHead).add('vary', 'Origin');
}

class Cors implements PluginHandler {
  readonly #c: CompiledCors;
  readonly #rules: readonly Rule[];

  constructor(c: CompiledCors) {
    this.#c = c;
    this.#rules = c.rules.map((r) => ({ domain: r.domain, regex: r.regex === null ? null : new RegExp(r.regex), byHost: r.byHost }));
  }

  access(req: PluginRequest, slot: number): void {
    if (req.method !== 'OPTIONS') return;
    const origin = req.header('origin');
    if (origin === undefined || req.header('access-control-request-method') === undefined) return;
    req.setState(slot, SKIP);
    const c = this.#c;
    if (c.preflightContinue) return;
    const out = new ListSink();
    const allowAll = this.#origin(out, origin);
    this.#credentials(out, allowAll, origin);
    if (c.headers !== '') out.set('access-control-allow-headers', c.headers);
    else {
      const requested = req.header('access-control-request-headers');
      if (requested !== undefined) out.set('access-control-allow-headers', requested);
    }
    out.set('access-control-allow-methods', c.methods === '' ? DEFAULT_METHODS : c.methods);
    if (c.maxAge !== null) out.set('access-control-max-age', c.maxAge);
    if (c.privateNetwork && req.header('access-control-request-private-network') === 'true') out.set('access-control-allow-private-network', 'true');
    req.exit(200, '', out.list);
  }

  response(req: PluginRequest, slot: number): void {
    if (req.getState(slot) === SKIP) return;
    const origin = req.header('origin');
    if (origin === undefined && !this.#c.allowOriginAbsent) return;
    const head = req.response;
    const allowAll = this.#origin(head, origin);
    this.#credentials(head, allowAll, origin);
    if (this.#c.exposedHeaders !== '') head.set('access-control-expose-headers', this.#c.exposedHeaders);
  }

  /** Access-Control-Allow-Origin (and Vary); true when any origin is allowed. */
  #origin(out: HeaderSink | ResponseHead, origin: string | undefined): boolean {
    const c = this.#c;
    if (c.allowAll && c.rules.length === 0) {
      out.set(ACAO, '*');
      return true;
    }
    vary(out);
    if (c.single !== null) {
      out.set(ACAO, c.single);
      return false;
    }
    if (origin !== undefined) {
      if (c.allowAll) {
        out.set(ACAO, '*');
        return true;
      }
      const n = normalized(origin);
      for (const rule of this.#rules) {
        const found = rule.regex !== null ? rule.regex.test(rule.byHost ? n.host : n.domain) : n.domain === rule.domain;
        if (found) {
          out.set(ACAO, n.domain);
          return false;
        }
      }
    }
    out.remove(ACAO);
    return false;
  }

  #credentials(out: HeaderSink, allowAll: boolean, origin: string | undefined): void {
    if (!this.#c.credentials) return;
    if (!allowAll) {
      out.set(ACAC, 'true');
      return;
    }
    // Credentials cannot go with `*`: the request's origin is echoed instead.
    if (origin !== undefined) {
      vary(out);
      out.set(ACAO, origin);
      out.set(ACAC, 'true');
    }
  }
}

export const handler: PluginHandlerModule<CompiledCors, undefined> = {
  name: 'cors',
  create: (config) => new Cors(config),
};
