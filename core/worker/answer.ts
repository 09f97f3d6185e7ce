/**
 * Responses the gateway or a plugin decides on, on a route with plugins: they pass
 * through the chain's response and body phases (Kong runs header_filter, body_filter
 * and log for kong.response.exit and for the gateway's own errors too: cors headers on
 * a 401, a log line for a 429), then go out in one corked write.
 *
 *   ctx.answer ──► ResponseHead ──► response phase (sync, or awaited) ──► body phase
 *              ──► status line, headers (framing and hop-by-hop ones dropped), Via,
 *                  request id, body ──► finish
 */
import { ERRORS, type ErrorCode } from '../lib/errors.js';
import { isDroppedResponseHeader, VIA_TOKEN } from '../lib/headers.js';
import { statusLine } from '../lib/http-status.js';
import { REQUEST_ID_HEADER } from '../proxy/forwarded.js';
import { runBody, runResponse } from '../plugins/chain.js';
import { ResponseHead, type RawHeader } from '../plugins/response-head.js';
import type { LocalAnswer, RequestContext } from './context.js';

const JSON_TYPE = ['content-type', 'application/json; charset=utf-8'];

/** The error table's answer for `code` (Kong's status and wording). */
export function errorAnswer(code: ErrorCode): LocalAnswer {
  const entry = ERRORS[code];
  return { status: entry.status, headers: [...JSON_TYPE], body: entry.body };
}

/**
 * Sends ctx.answer through the response phases. `close`: the client's connection is
 * closed after it (a body left unread, a framing error). `done` runs once it is written.
 * `phases` false: a plugin answered from the response or body phase itself (the phases
 * already ran for this response; they do not run again).
 */
export function sendAnswer(ctx: RequestContext, close: boolean, done: (ctx: RequestContext) => void, phases = true): void {
  const answer = ctx.answer;
  if (answer === null || ctx.finished) return;
  const head = new ResponseHead(answer.status, answer.headers);
  ctx.responseHead = head;
  const steps = phases ? (ctx.chain?.response ?? null) : null;
  const r = steps === null ? undefined : runResponse(ctx, steps);
  if (r === undefined) {
    write(ctx, head, answer, close, done, phases);
    return;
  }
  r.then(
    () => write(ctx, head, answer, close, done, phases),
    (err: unknown) => {
      process.stderr.write(`gatehouse: a plugin failed in the response phase: ${err instanceof Error ? err.message : String(err)}\n`);
      write(ctx, head, answer, close, done, phases);
    },
  );
}

function write(ctx: RequestContext, head: ResponseHead, answer: LocalAnswer, close: boolean, done: (ctx: RequestContext) => void, phases: boolean): void {
  if (ctx.finished) return;
  ctx.finished = true;
  let body = answer.body;
  const bodySteps = phases ? (ctx.chain?.body ?? null) : null;
  if (bodySteps !== null) body = runBody(ctx, bodySteps, typeof body === 'string' ? Buffer.from(body) : body, true);
  ctx.status = head.status;
  ctx.bytesOut += typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  const res = ctx.res;
  res.cork(() => {
    res.writeStatus(statusLine(head.status));
    writeHeaders(res, head.headers);
    const added = head.added;
    if (added !== null) writeHeaders(res, added);
    res.writeHeader('via', VIA_TOKEN).writeHeader(REQUEST_ID_HEADER, ctx.requestId);
    res.end(body, close);
  });
  done(ctx);
}

function writeHeaders(res: RequestContext['res'], list: readonly RawHeader[]): void {
  for (let i = 0; i < list.length; i += 2) {
    const name = String(list[i]).toLowerCase();
    if (isDroppedResponseHeader(name) || name === 'via') continue;
    res.writeHeader(name, list[i + 1] as RawHeader);
  }
}
