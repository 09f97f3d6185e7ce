/**
 * Local responses: the gateway answers itself with `{"message": ...}` from the error
 * table (Kong's status codes and wording), always with Via and the request id.
 */
import type { HttpResponse } from './http-front.js';
import { ERRORS, type ErrorCode } from '../lib/errors.js';
import { isDroppedResponseHeader, VIA_TOKEN } from '../lib/headers.js';
import type { LocalResponse } from '../wasm/host-request.js';
import { statusLine } from '../lib/http-status.js';
import { REQUEST_ID_HEADER } from '../proxy/forwarded.js';

/** Writes a complete JSON error response. Call corked (inside the handler or res.cork). */
export function writeError(res: HttpResponse, code: ErrorCode, requestId: string, closeConnection = false): number {
  const entry = ERRORS[code];
  res
    .writeStatus(entry.statusLine)
    .writeHeader('content-type', 'application/json; charset=utf-8')
    .writeHeader('via', VIA_TOKEN)
    .writeHeader(REQUEST_ID_HEADER, requestId)
    .end(entry.body, closeConnection);
  return entry.status;
}

/**
 * A response a WASM filter produced (proxy_send_local_response, or its on_error outcome).
 * Call corked. Hop-by-hop and framing headers from the guest are not written: uWS frames
 * the body itself.
 */
export function writeLocalResponse(res: HttpResponse, response: LocalResponse, requestId: string): number {
  res.writeStatus(statusLine(response.status));
  for (const [name, value] of response.headers) {
    const lower = name.toLowerCase();
    if (isDroppedResponseHeader(lower)) continue;
    res.writeHeader(lower, value);
  }
  res.writeHeader('via', VIA_TOKEN).writeHeader(REQUEST_ID_HEADER, requestId);
  res.end(response.body);
  return response.status;
}

/** A redirect (route-level https_redirect_status_code 301/302/307/308). */
export function writeRedirect(res: HttpResponse, status: number, location: string, requestId: string): number {
  res
    .writeStatus(statusLine(status))
    .writeHeader('location', location)
    .writeHeader('via', VIA_TOKEN)
    .writeHeader(REQUEST_ID_HEADER, requestId)
    .end();
  return status;
}
