/**
 * undici / socket errors -> our error table, and which of them may be retried on
 * another target. Connect-phase failures sent nothing upstream, so they are safe to
 * retry for any method; a reset after sending is retried only for idempotent methods.
 */
import { ErrorCode } from '../lib/errors.js';

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const SEND_FAILURES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

function errorCodeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof cause === 'string' ? cause : '';
}

export function classifyUpstreamError(err: unknown): ErrorCode {
  const code = errorCodeOf(err);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return ErrorCode.GATEWAY_TIMEOUT;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return ErrorCode.UNAVAILABLE;
    default:
      return ErrorCode.BAD_GATEWAY;
  }
}

export function isRetryable(err: unknown, method: string): boolean {
  const code = errorCodeOf(err);
  if (CONNECT_FAILURES.has(code)) return true;
  return SEND_FAILURES.has(code) && IDEMPOTENT.has(method);
}
