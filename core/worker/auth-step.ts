/**
 * key-auth on the request path (routes with key-auth only): the key from the headers or
 * the query at once; with key_in_body the whole body (within the body limit) is read
 * first. A pass hands the request back to the pipeline; anything else is a 401 with
 * Kong's wording and WWW-Authenticate, written like the gateway's own errors.
 */
import { ErrorCode, GatehouseError } from '../lib/errors.js';
import { VIA_TOKEN } from '../lib/headers.js';
import { isDigits } from '../lib/digits.js';
import { AuthVerdict, unauthorizedBody, type KeyAuth } from '../plugins/key-auth/access.js';
import { REQUEST_ID_HEADER } from '../proxy/forwarded.js';
import { copyChunk } from '../proxy/request-body.js';
import type { RequestContext } from './context.js';

const NO_BODY = Buffer.alloc(0);

/** What the auth step needs from the pipeline. */
export interface AuthOwner {
  /** Authenticated: go on to the AI exchange, the filters or the proxy (`bodyRead`: ctx.body holds the whole body). */
  proceed(ctx: RequestContext, routeIndex: number, bodyRead: boolean): void;
  local(ctx: RequestContext, code: ErrorCode, close: boolean): void;
  fail(ctx: RequestContext, err: Error): void;
  aborted(ctx: RequestContext): void;
  finish(ctx: RequestContext): void;
}

/** Runs key-auth; the request continues through `owner.proceed` or ends with a 401. */
export function authenticate(ctx: RequestContext, auth: KeyAuth, routeIndex: number, scheme: 'http' | 'https', maxBodyBytes: number, owner: AuthOwner): void {
  const verdict = auth.authenticate(ctx, scheme);
  if (verdict === AuthVerdict.NEED_BODY) return readBody(ctx, auth, routeIndex, maxBodyBytes, owner);
  if (verdict !== AuthVerdict.PASS) return unauthorized(ctx, auth, verdict, owner);
  owner.proceed(ctx, routeIndex, false);
}

/** key_in_body: the whole body (within the body limit) before the key can be looked for. */
function readBody(ctx: RequestContext, auth: KeyAuth, routeIndex: number, max: number, owner: AuthOwner): void {
  const contentLength = ctx.header('content-length');
  const chunked = ctx.header('transfer-encoding') !== undefined;
  let declared = -1;
  if (contentLength !== undefined) {
    if (!isDigits(contentLength)) return owner.local(ctx, ErrorCode.BAD_REQUEST, true);
    declared = Number(contentLength);
  }
  if (max > 0 && declared > max) return owner.local(ctx, ErrorCode.BODY_TOO_LARGE, true);
  if (!chunked && declared <= 0) return withBody(ctx, auth, routeIndex, NO_BODY, owner);
  ctx.res.onAborted(() => owner.aborted(ctx));
  const chunks: Buffer[] = [];
  ctx.res.onData((chunk, isLast) => {
    if (ctx.finished) return;
    ctx.bytesIn += chunk.byteLength;
    if (max > 0 && ctx.bytesIn > max) return owner.fail(ctx, new GatehouseError(ErrorCode.BODY_TOO_LARGE));
    chunks.push(copyChunk(chunk));
    if (isLast) withBody(ctx, auth, routeIndex, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), owner);
  });
}

function withBody(ctx: RequestContext, auth: KeyAuth, routeIndex: number, body: Buffer, owner: AuthOwner): void {
  const verdict = auth.authenticateBody(ctx, body);
  if (verdict !== AuthVerdict.PASS) return unauthorized(ctx, auth, verdict, owner);
  if (ctx.body instanceof Buffer && ctx.body.byteLength === 0) ctx.body = null;
  owner.proceed(ctx, routeIndex, true);
}

/** 401 with Kong's wording and WWW-Authenticate. */
function unauthorized(ctx: RequestContext, auth: KeyAuth, verdict: AuthVerdict, owner: AuthOwner): void {
  ctx.finished = true;
  ctx.status = 401;
  const body = unauthorizedBody(verdict);
  ctx.res.cork(() => {
    ctx.res
      .writeStatus('401 Unauthorized')
      .writeHeader('content-type', 'application/json; charset=utf-8')
      .writeHeader('www-authenticate', auth.config.wwwAuthenticate)
      .writeHeader('via', VIA_TOKEN)
      .writeHeader(REQUEST_ID_HEADER, ctx.requestId)
      .end(body);
  });
  owner.finish(ctx);
}
