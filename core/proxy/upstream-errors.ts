/**
 * Upstream client errors (the HTTP/1.1 client's H1_* codes, undici's, socket errors) ->
 * our error table, and which of them may be retried on another target. Connect-phase
 * failures sent nothing upstream, so they are safe to retry for any method; a reset or
 * close after sending is retried only for idempotent methods. Timeouts are 504, every
 * other failure (a malformed response included) 502.
 */
import { ErrorCode } from '../lib/errors.js';
import { H1Code } from './http1/errors.js';

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  H1Code.CONNECT_TIMEOUT,
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const SEND_FAILURES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', H1Code.CLOSED, H1Code.POOL_CLOSED]);

/** Codes that mean the upstream took too long (504; passive health counts them as timeouts). */
export const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  H1Code.CONNECT_TIMEOUT,
  H1Code.HEADERS_TIMEOUT,
  H1Code.BODY_TIMEOUT,
  H1Code.WRITE_TIMEOUT,
]);

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export function errorCodeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof cause === 'string' ? cause : '';
}

export function classifyUpstreamError(err: unknown): ErrorCode {
  const code = errorCodeOf(err);
  if (TIMEOUT_CODES.has(code)) return ErrorCode.GATEWAY_TIMEOUT;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return ErrorCode.UNAVAILABLE;
    default:
      return ErrorCode.BAD_GATEWAY;
  }
}

/** Methods that may be sent twice (RFC 9110 §9.2.2). */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

export function isRetryable(err: unknown, method: string): boolean {
  const code = errorCodeOf(err);
  if (CONNECT_FAILURES.has(code)) return true;
  return SEND_FAILURES.has(code) && IDEMPOTENT.has(method);
}
