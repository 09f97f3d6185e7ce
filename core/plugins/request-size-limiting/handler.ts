/**
 * request-size-limiting, access phase (Kong 3.x):
 *
 *   Content-Length given        ─► over the limit: 413 {"message":"Request size limit exceeded"}
 *                                  (417 when the client sent `Expect: 100-continue`)
 *   no Content-Length, not chunked, require_content_length
 *                               ─► 411 {"message":"A valid Content-Length header is required"}
 *   chunked (any Transfer-Encoding)
 *                               ─► the request's body limit is lowered to ours: the body
 *                                  streams on and is cut with the same 413 the moment it
 *                                  passes the limit (Kong reads it whole first; we never
 *                                  hold more than a chunk)
 *
 * A body of exactly the limit passes, as in Kong (`length > allowed`).
 */
import type { PluginHandler, PluginHandlerModule, PluginRequest } from '../contract.js';
import type { CompiledRequestSizeLimiting } from './definition.js';

const JSON_TYPE = ['content-type', 'application/json; charset=utf-8'] as const;
const TOO_LARGE = JSON.stringify({ message: 'Request size limit exceeded' });
const LENGTH_REQUIRED = JSON.stringify({ message: 'A valid Content-Length header is required' });
/**
 * The stream limit for a limit of 0 (or below): limitBody(0) means "no limit of its own",
 * while any positive limit under one byte refuses the first byte.
 */
const NOTHING = 0.5;

function expectsContinue(req: PluginRequest): boolean {
  const expect = req.header('expect');
  return expect !== undefined && expect.trim().toLowerCase() === '100-continue';
}

class RequestSizeLimiting implements PluginHandler {
  readonly #limit: number;
  readonly #requireContentLength: boolean;

  constructor(c: CompiledRequestSizeLimiting) {
    this.#limit = c.limit;
    this.#requireContentLength = c.requireContentLength;
  }

  access(req: PluginRequest): void {
    const length = req.header('content-length');
    if (length !== undefined) {
      // The pipeline answered 400 already for a Content-Length that is not digits.
      if (Number(length) > this.#limit) req.exit(expectsContinue(req) ? 417 : 413, TOO_LARGE, JSON_TYPE);
      return;
    }
    // Kong compares the header with `chunked` exactly.
    if (this.#requireContentLength && req.header('transfer-encoding') !== 'chunked') {
      req.exit(411, LENGTH_REQUIRED, JSON_TYPE);
      return;
    }
    if (req.hasBody) req.limitBody(this.#limit > 0 ? this.#limit : NOTHING);
  }
}

export const handler: PluginHandlerModule<CompiledRequestSizeLimiting, undefined> = {
  name: 'request-size-limiting',
  create: (config) => new RequestSizeLimiting(config),
};
