/**
 * cors, compile side (Kong priority 2000): origins are classified once — any origin, one
 * literal origin, or a list of literal origins (normalised: scheme, host, non-default
 * port) and regexes (anchored as Kong anchors them) — and every header value is joined
 * here, so the handler only compares and adds.
 */
import { NO_CONSUMER, type PluginDefinition } from '../definition.js';
import { corsSchema } from './schema.js';
import { normalizeOrigin } from './origin.js';

interface CorsConfig {
  origins: string[];
  headers: string[];
  exposed_headers: string[];
  methods: string[];
  max_age: number | null;
  credentials: boolean;
  private_network: boolean;
  preflight_continue: boolean;
  allow_origin_absent: boolean;
}

/** One allowed origin: a literal (normalised) or a regex source (anchored at both ends). */
export interface OriginRule {
  domain: string | null;
  regex: string | null;
  /** The rule has no `:`: a regex is tested against the origin's host only. */
  byHost: boolean;
}

export interface CompiledCors {
  /** No origins, or `*` among them: Access-Control-Allow-Origin: * . */
  allowAll: boolean;
  /** A single literal origin: always sent as is. */
  single: string | null;
  rules: OriginRule[];
  /** Joined values ('' = not sent / taken from the request). */
  headers: string;
  exposedHeaders: string;
  methods: string;
  maxAge: string | null;
  credentials: boolean;
  privateNetwork: boolean;
  preflightContinue: boolean;
  allowOriginAbsent: boolean;
}

const LITERAL = /^[A-Za-z0-9.:/-]+$/;

export const definition: PluginDefinition<CorsConfig, CompiledCors> = {
  name: 'cors',
  version: '3.9.0',
  priority: 2000,
  schema: corsSchema(),
  scopes: NO_CONSUMER,
  compile(c, ctx) {
    const origins = c.origins;
    const allowAll = origins.length === 0 || (origins.length === 1 && origins[0] === '*');
    const rules: OriginRule[] = [];
    origins.forEach((entry, i) => {
      if (entry === '*') return;
      const byHost = !entry.includes(':');
      if (LITERAL.test(entry)) {
        rules.push({ domain: normalizeOrigin(entry).domain, regex: null, byHost });
        return;
      }
      // Kong anchors a regex origin at both ends (it appends `$` and matches anchored).
      let source = entry.startsWith('^') ? entry.slice(1) : entry;
      if (!source.endsWith('$')) source += '$';
      try {
        new RegExp(`^(?:${source})`);
      } catch {
        ctx.error(`origins[${i}]`, `'${entry}' is not a valid regex`);
        return;
      }
      rules.push({ domain: null, regex: `^(?:${source})`, byHost });
    });
    const single = origins.length === 1 && origins[0] !== undefined && LITERAL.test(origins[0]) ? origins[0] : null;
    return {
      allowAll: allowAll || origins.includes('*'),
      single,
      rules,
      headers: c.headers.join(','),
      exposedHeaders: c.exposed_headers.join(','),
      methods: c.methods.join(','),
      maxAge: c.max_age === null ? null : String(c.max_age),
      credentials: c.credentials,
      privateNetwork: c.private_network,
      preflightContinue: c.preflight_continue,
      allowOriginAbsent: c.allow_origin_absent,
    };
  },
};
