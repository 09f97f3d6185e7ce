/** Builders for router unit tests: a NormalizedRoute with Kong defaults, and a matcher. */
import type { NormalizedRoute } from '../../../core/config/types.js';
import { compileRouter } from '../../../core/router/compile.js';
import { Matcher, MatchResult } from '../../../core/router/match.js';
import { ROUTE_DEFAULTS } from '../../../core/config/schema/route.js';

export type RouteFields = Partial<Omit<NormalizedRoute, 'id'>>;

export function makeRoute(id: string, fields: RouteFields = {}): NormalizedRoute {
  return {
    id,
    name: null,
    service: null,
    ...ROUTE_DEFAULTS,
    protocols: [...ROUTE_DEFAULTS.protocols],
    methods: null,
    hosts: null,
    paths: null,
    headers: null,
    tags: [],
    ...fields,
  };
}

export interface Request {
  method?: string;
  host?: string;
  port?: number;
  path?: string;
  headers?: string[];
}

/** Compile routes (given as field sets, ids r0, r1, …) and return a `match` that answers the route id or null. */
export function routerFor(routes: readonly RouteFields[]): {
  matcher: Matcher;
  match: (req: Request) => string | null;
  result: MatchResult;
} {
  const normalized = routes.map((r, i) => makeRoute(`r${i}`, r));
  const matcher = new Matcher(compileRouter(normalized));
  const result = new MatchResult();
  const match = (req: Request): string | null => {
    const ok = matcher.match(
      req.method ?? 'GET',
      req.host ?? 'example.com',
      req.port ?? 8000,
      req.path ?? '/',
      req.headers ?? [],
      result,
    );
    return ok ? (normalized[result.route]?.id ?? null) : null;
  };
  return { matcher, match, result };
}
