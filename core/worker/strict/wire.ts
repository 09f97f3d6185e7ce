/**
 * Bytes the strict front writes itself: the Date header line (refreshed once a second, as
 * uWS does), and the complete answer to a request it refuses before the pipeline sees it.
 */
import { ERRORS, type ErrorCode } from '../../lib/errors.js';
import { VIA_TOKEN } from '../../lib/headers.js';

let dateLine = `Date: ${new Date().toUTCString()}\r\n`;

/** `Date: …\r\n`, at most a second old. */
export function currentDateLine(): string {
  return dateLine;
}

/** Called once a second by the front's sweep timer. */
export function refreshDate(now: number): void {
  dateLine = `Date: ${new Date(now).toUTCString()}\r\n`;
}

/**
 * A refusal: the error table's JSON body with `Connection: close` (nothing after it on
 * the connection is read).
 */
export function refusal(code: ErrorCode): string {
  const e = ERRORS[code];
  return (
    `HTTP/1.1 ${e.statusLine}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(e.body)}\r\n` +
    `Via: ${VIA_TOKEN}\r\n` +
    dateLine +
    'Connection: close\r\n\r\n' +
    e.body
  );
}

export const CONTINUE_100 = 'HTTP/1.1 100 Continue\r\n\r\n';
