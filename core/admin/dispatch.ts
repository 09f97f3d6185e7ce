/**
 * The admin API's path table: `/services/:parent/routes/:id` patterns, matched segment by
 * segment (literal segments before parameters), then by method. A known path with an
 * unknown method is 405, an unknown path 404.
 */
import type { AdminState } from './state.js';
import { methodNotAllowed, notFound, type AdminError } from './errors.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface AdminRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly contentType: string | undefined;
  readonly rawBody: Buffer;
  readonly state: AdminState;
}

export interface AdminResponse {
  status: number;
  /** Serialised as JSON. */
  body?: unknown;
  /** A non-JSON body (e.g. Prometheus text), sent as is with `contentType`. */
  text?: string;
  contentType?: string;
}

export type Handler = (req: AdminRequest) => AdminResponse | Promise<AdminResponse>;

export interface RouteDef {
  pattern: string;
  methods: Partial<Record<Method, Handler>>;
}

interface Compiled {
  segments: string[];
  literals: number;
  def: RouteDef;
}

export class PathTable {
  readonly #routes: Compiled[] = [];

  add(...defs: RouteDef[]): this {
    for (const def of defs) {
      const segments = def.pattern.split('/').filter((s) => s !== '');
      this.#routes.push({ segments, literals: segments.filter((s) => !s.startsWith(':')).length, def });
    }
    // More literal segments first: `/plugins/enabled` before `/plugins/:id`.
    this.#routes.sort((a, b) => b.literals - a.literals);
    return this;
  }

  /** The handler and path parameters, or the error to answer. */
  resolve(method: string, path: string): { handler: Handler; params: Record<string, string> } | AdminError {
    let segments: string[];
    try {
      segments = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    } catch {
      return notFound();
    }
    for (const route of this.#routes) {
      if (route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segments.length && ok; i++) {
        const want = route.segments[i] as string;
        const got = segments[i] as string;
        if (want.startsWith(':')) params[want.slice(1)] = got;
        else ok = want === got;
      }
      if (!ok) continue;
      const verb = method === 'HEAD' ? 'GET' : method;
      const handler = route.def.methods[verb as Method];
      return handler === undefined ? methodNotAllowed() : { handler, params };
    }
    return notFound();
  }
}
