/**
 * redirect, access phase (Kong 3.9): every request is answered with `status_code`, a
 * Location header and the body `redirecting`; nothing goes upstream. With
 * keep_incoming_path the request's (normalised) path and raw query replace the
 * location's own.
 */
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import type { CompiledRedirect } from './definition.js';
import { plainUrlText } from './location.js';

const BODY = 'redirecting';

class Redirect implements PluginHandler {
  readonly #status: number;
  readonly #location: string;
  readonly #prefix: string | null;
  readonly #hash: string;
  /** The constant header list when the location does not depend on the request. */
  readonly #fixed: readonly string[] | null;

  constructor(c: CompiledRedirect) {
    this.#status = c.status;
    this.#location = c.location;
    this.#prefix = c.prefix;
    this.#hash = c.hash;
    this.#fixed = c.prefix === null ? ['location', c.location] : null;
  }

  access(req: PluginRequest): void {
    req.exit(this.#status, BODY, this.#fixed ?? ['location', this.#join(req.path, req.query)]);
  }

  #join(path: string, query: string): string {
    // A query starting with `?` loses it to the search setter: that case takes the slow path too.
    if (plainUrlText(path, true) && plainUrlText(query, false) && query.charCodeAt(0) !== 0x3f) {
      return `${this.#prefix as string}${path}${query === '' ? '' : `?${query}`}${this.#hash}`;
    }
    const url = new URL(this.#location);
    url.pathname = path;
    url.search = query;
    return url.href;
  }
}

export const handler: PluginHandlerModule<CompiledRedirect, undefined> = {
  name: 'redirect',
  create: (config) => new Redirect(config),
};
