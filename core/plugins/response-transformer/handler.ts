/**
 * response-transformer on the response (Kong 3.x handler semantics):
 *
 *   response  (header_filter) headers: remove, rename, replace, add, append; when the
 *             JSON operations will rewrite the body (a JSON Content-Type), Content-Length
 *             is removed (the body then goes out chunked) and the body is marked for them
 *   body      (body_filter) a marked body is held until its last chunk, transformed once
 *             and sent in one piece; any other body streams through untouched
 *
 * A config without JSON operations has no body method at all (the route's body phase
 * stays empty). Header names are lower-case; presence is read live unless one header is
 * named by several entries (definition.ts `snapshot`), where Kong's decisions on the
 * headers as they arrived are kept by reading a copy.
 */
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import type { ResponseHead } from '../response-head.js';
import type { CompiledResponseTransformer, CompiledSection, JsonValue } from './definition.js';
import { isJsonContentType, transformJsonBody } from './json-body.js';

const NO_BYTES = Buffer.alloc(0);

/** Whether `name` is in a flat header list (names compared lower-case). */
function listHas(list: readonly string[], name: string): boolean {
  for (let i = 0; i < list.length; i += 2) if ((list[i] as string).toLowerCase() === name) return true;
  return false;
}

function listValues(list: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i += 2) if ((list[i] as string).toLowerCase() === name) out.push(list[i + 1] as string);
  return out;
}

/** Presence as Kong decides it: on the copy of the headers as they arrived, else live. */
function has(head: ResponseHead, before: readonly string[] | null, name: string): boolean {
  return before === null ? head.has(name) : listHas(before, name);
}

function transformHeaders(head: ResponseHead, ops: CompiledSection<string>, snapshot: boolean): void {
  const before = snapshot ? head.list().slice() : null;
  for (const name of ops.remove) head.remove(name);
  for (const { name, value } of ops.rename) {
    if (!has(head, before, name)) continue;
    const values = listValues(before ?? head.list(), name);
    head.remove(value);
    for (const v of values) head.add(value, v);
    head.remove(name);
  }
  for (const { name, value } of ops.replace) if (has(head, before, name)) head.set(name, value);
  for (const { name, value } of ops.add) if (!has(head, before, name)) head.set(name, value);
  for (const { name, value } of ops.append) head.add(name, value);
}

/** A JSON body on its way to its last chunk (per-request state). */
class HeldBody {
  readonly chunks: Buffer[] = [];
}

class ResponseTransformer implements PluginHandler {
  readonly #headers: CompiledSection<string> | null;
  readonly #snapshot: boolean;
  protected readonly json: CompiledSection<JsonValue> | null;

  constructor(c: CompiledResponseTransformer) {
    this.#headers = c.headers;
    this.#snapshot = c.snapshot;
    this.json = c.json;
  }

  response(req: PluginRequest, slot: number): void {
    const head = req.response;
    // Kong decides on the Content-Type the response arrived with.
    const rewrite = this.json !== null && isJsonContentType(head.get('content-type'));
    if (this.#headers !== null) transformHeaders(head, this.#headers, this.#snapshot);
    if (!rewrite) return;
    head.remove('content-length');
    req.setState(slot, new HeldBody());
  }
}

class JsonResponseTransformer extends ResponseTransformer {
  body(req: PluginRequest, slot: number, chunk: Buffer, last: boolean): Buffer {
    const held = req.getState(slot);
    if (!(held instanceof HeldBody)) return chunk;
    // A chunk is the upstream client's read buffer, valid only during this call: keep a copy.
    if (chunk.byteLength > 0) held.chunks.push(last ? chunk : Buffer.from(chunk));
    if (!last) return NO_BYTES;
    const whole = held.chunks.length === 1 ? (held.chunks[0] as Buffer) : Buffer.concat(held.chunks);
    return transformJsonBody(whole, this.json as CompiledSection<JsonValue>) ?? whole;
  }
}

export const handler: PluginHandlerModule<CompiledResponseTransformer, undefined> = {
  name: 'response-transformer',
  create: (config) => (config.json === null ? new ResponseTransformer(config) : new JsonResponseTransformer(config)),
};
