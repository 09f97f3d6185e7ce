/**
 * correlation-id (Kong 3.x):
 *
 *   access     the request's own id (the header, when not blank) is kept; otherwise one is
 *              generated and set on the request sent upstream. Either way it becomes the
 *              log entry's `correlation_id` (and is among the logged request headers).
 *   response   with echo_downstream: the id is set on the response — also on answers the
 *              gateway or a plugin made (a 401, a 502) — or, when access never ran for the
 *              request, the request's own id if it had one.
 */
import type { PluginEnv, PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import type { CompiledCorrelationId } from './definition.js';
import { generatorOf, type IdGenerator } from './generators.js';

/** Kong refuses an id that is empty or only spaces. */
function blank(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

class CorrelationId implements PluginHandler {
  readonly #header: string;
  readonly #generate: IdGenerator;

  constructor(c: CompiledCorrelationId, env: PluginEnv) {
    this.#header = c.header;
    this.#generate = generatorOf(c.generator, env);
  }

  access(req: PluginRequest, _slot: number): void {
    this.assign(req);
  }

  /** The request's id, generated and set upstream when it has none; logged either way. */
  protected assign(req: PluginRequest): string {
    let id = req.header(this.#header);
    if (id === undefined || blank(id)) {
      id = this.#generate();
      req.setHeader(this.#header, id);
    }
    req.setLogValue('correlation_id', id);
    return id;
  }
}

class EchoedCorrelationId extends CorrelationId {
  readonly #header: string;

  constructor(c: CompiledCorrelationId, env: PluginEnv) {
    super(c, env);
    this.#header = c.header;
  }

  override access(req: PluginRequest, slot: number): void {
    req.setState(slot, this.assign(req));
  }

  response(req: PluginRequest, slot: number): void {
    let id = req.getState(slot) as string | undefined;
    if (id === undefined) {
      id = req.header(this.#header);
      if (id === undefined || blank(id)) return;
    }
    req.response.set(this.#header, id);
  }
}

export const handler: PluginHandlerModule<CompiledCorrelationId, undefined> = {
  name: 'correlation-id',
  // Without echo_downstream the handler has no response method: no response step at all.
  create: (config, env) => (config.echo ? new EchoedCorrelationId(config, env) : new CorrelationId(config, env)),
};
