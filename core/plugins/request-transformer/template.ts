/**
 * request-transformer's templates, worker side. Kong renders every template against one
 * read-only view of the request taken before the plugin changes anything ("any update or
 * removal of parameters used in a template does not affect the rendered value"):
 * TemplateEnv is that view, made only for a plugin whose templates read something, and it
 * copies only what they read (the header list; the query string is kept as the immutable
 * string it is and decoded on first use; the route's captures are matched on first use).
 *
 * A header sent more than once renders its values joined with ", " and a repeated query
 * argument its first value (Kong prints a Lua table's address there); a query argument
 * without `=` renders "true", as Kong's does.
 */
import type { PluginRequest } from '../contract.js';
import { ArgTable } from './args.js';
import { TermKind, USES_HEADERS, type TemplateData, type TemplatePart, type TemplateTerm } from './template-parse.js';

export class TemplateEnv {
  readonly #req: PluginRequest;
  /** The request's headers as they arrived, when a template reads one. */
  readonly #headers: readonly string[] | null;
  readonly #query: string;
  #args: ArgTable | null;
  #captures: RegExpExecArray | null;
  #capturesRead: boolean;

  constructor(req: PluginRequest, uses: number) {
    this.#req = req;
    this.#headers = (uses & USES_HEADERS) !== 0 ? req.headers.slice() : null;
    this.#query = req.query;
    this.#args = null;
    this.#captures = null;
    this.#capturesRead = false;
  }

  header(name: string, alt: string): string | undefined {
    const found = headerValues(this.#headers ?? [], name);
    return found !== undefined || alt === '' ? found : headerValues(this.#headers ?? [], alt);
  }

  query(name: string): string | undefined {
    return (this.#args ??= ArgTable.parse(this.#query)).first(name);
  }

  capture(name: string, index: number): string | undefined {
    if (!this.#capturesRead) {
      this.#capturesRead = true;
      this.#captures = this.#req.uriCaptures();
    }
    const m = this.#captures;
    if (m === null) return undefined;
    return index > 0 ? m[index] : m.groups?.[name];
  }
}

function headerValues(headers: readonly string[], name: string): string | undefined {
  let out: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] !== name) continue;
    const v = headers[i + 1] as string;
    out = out === undefined ? v : `${out}, ${v}`;
  }
  return out;
}

function evaluate(terms: readonly TemplateTerm[], env: TemplateEnv): string | undefined {
  for (const t of terms) {
    let v: string | undefined;
    if (t.kind === TermKind.TEXT) v = t.key;
    else if (t.kind === TermKind.HEADER) v = env.header(t.key, t.alt);
    else if (t.kind === TermKind.QUERY) v = env.query(t.key);
    else v = env.capture(t.key, t.index);
    if (v !== undefined) return v;
  }
  return undefined;
}

export class Template {
  /** The value when it has no variable part, else null. */
  readonly literal: string | null;
  readonly #parts: readonly TemplatePart[];

  constructor(data: TemplateData) {
    this.#parts = data.parts;
    this.literal = data.uses === 0 ? data.parts.map((p) => p.text).join('') : null;
  }

  /** The value for this request (`env` is never null when `literal` is). */
  render(env: TemplateEnv | null): string {
    if (this.literal !== null) return this.literal;
    let out = '';
    for (const p of this.#parts) out += p.terms === null ? p.text : (evaluate(p.terms, env as TemplateEnv) ?? '');
    return out;
  }
}
