/**
 * Local responses: the gateway answers itself with `{"message": ...}` from the error
 * table (Kong's status codes and wording), always with Via and the request id.
 */
import type { HttpResponse } from './http-front.js';
import { ERRORS, type ErrorCode } from '../lib/errors.js';
import { VIA_TOKEN } from '../lib/headers.js';
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
