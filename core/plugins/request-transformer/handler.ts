/**
 * request-transformer, access phase, in Kong 3.x's order:
 *
 *   replace.uri  the whole upstream path (Kong's set_path; the service path no longer applies)
 *   http_method  the method sent upstream; GET, HEAD or TRACE with a form-urlencoded body
 *                also move the body's arguments into the query string (the body still goes)
 *   headers      remove, rename, replace, add, append (replacing Host sets the upstream Host)
 *   body         remove, rename, replace, add, append on a JSON, form-urlencoded or
 *                multipart body: read whole first (the chain waits), sent as one buffer
 *   querystring  remove, rename, replace, add, append; then re-encoded with its names
 *                sorted, as Kong's set_query writes it
 *
 * Templates render against the request as it arrived (template.ts); a plugin without
 * templates builds no view of it. The body is read only when a body operation is
 * configured and the Content-Type is one Kong transforms (or for http_method's form
 * move): every other request keeps streaming, and a plugin that only adds a header costs
 * a header scan and a push.
 */
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import { ArgTable } from './args.js';
import { BodyKind, bodyKind, transformBody } from './body.js';
import type { CompiledRequestTransformer } from './definition.js';
import { ArgOps, HeaderOps } from './operations.js';
import { Template, TemplateEnv } from './template.js';

/** What cannot stand in a request target: it is percent-encoded (Kong writes the path as rendered). */
const UNSAFE_IN_PATH = /[^\x21-\x7e]|["<>\\^`{|}]/u;
const UNSAFE_IN_PATH_ALL = /[^\x21-\x7e]|["<>\\^`{|}]/gu;

function pathOf(rendered: string): string {
  const path = rendered.charCodeAt(0) === 0x2f ? rendered : `/${rendered}`;
  return UNSAFE_IN_PATH.test(path) ? path.replace(UNSAFE_IN_PATH_ALL, encodeURIComponent) : path;
}

class RequestTransformer implements PluginHandler {
  readonly #method: string | null;
  readonly #mergeForm: boolean;
  readonly #uri: Template | null;
  /** The upstream path when replace.uri has no variable part. */
  readonly #fixedPath: string | null;
  readonly #headers: HeaderOps | null;
  readonly #query: ArgOps | null;
  readonly #body: ArgOps | null;
  readonly #uses: number;

  constructor(c: CompiledRequestTransformer) {
    this.#method = c.method;
    this.#mergeForm = c.mergeForm;
    this.#uri = c.uri === null ? null : new Template(c.uri);
    const literal = this.#uri === null ? null : this.#uri.literal;
    this.#fixedPath = literal === null ? null : pathOf(literal);
    this.#headers = c.headers === null ? null : new HeaderOps(c.headers);
    this.#query = c.query === null ? null : new ArgOps(c.query);
    this.#body = c.body === null ? null : new ArgOps(c.body);
    this.#uses = c.uses;
  }

  access(req: PluginRequest): void | Promise<void> {
    const env = this.#uses === 0 ? null : new TemplateEnv(req, this.#uses);
    if (this.#fixedPath !== null) req.setPath(this.#fixedPath);
    else if (this.#uri !== null) {
      const rendered = this.#uri.render(env);
      if (rendered !== '') req.setPath(pathOf(rendered));
    }
    if (this.#method !== null) req.setMethod(this.#method);
    // Kong looks at the Content-Type for the form move before the header operations, and for the body after them.
    const mergeForm = this.#mergeForm && bodyKind(req.header('content-type')) === BodyKind.FORM;
    if (this.#headers !== null) this.#headers.apply(req, env);
    const kind = this.#body === null ? BodyKind.NONE : bodyKind(req.header('content-type'));
    if (!mergeForm && kind === BodyKind.NONE) {
      if (this.#query !== null) this.#transformQuery(req, env, null);
      return;
    }
    const body = req.readBody();
    if (body instanceof Promise) return body.then((b) => this.#withBody(req, env, b, mergeForm, kind));
    this.#withBody(req, env, body, mergeForm, kind);
  }

  #withBody(req: PluginRequest, env: TemplateEnv | null, body: Buffer, mergeForm: boolean, kind: number): void {
    let query: ArgTable | null = null;
    if (mergeForm) {
      const form = ArgTable.parse(body.toString('utf8'));
      if (form.size > 0) {
        query = ArgTable.parse(req.query);
        query.merge(form);
        req.setQuery(query.encode(true));
      }
    }
    if (kind !== BodyKind.NONE) {
      const out = transformBody(kind, req.header('content-type') ?? '', body, this.#body as ArgOps, env);
      if (out !== null) req.setBody(out);
    }
    if (this.#query !== null) this.#transformQuery(req, env, query);
  }

  /** Kong always writes the query back (sorted) once a querystring operation is configured. */
  #transformQuery(req: PluginRequest, env: TemplateEnv | null, table: ArgTable | null): void {
    const query = table ?? ArgTable.parse(req.query);
    (this.#query as ArgOps).apply(query, env, true);
    req.setQuery(query.encode(true));
  }
}

export const handler: PluginHandlerModule<CompiledRequestTransformer, undefined> = {
  name: 'request-transformer',
  create: (config) => new RequestTransformer(config),
};
