/**
 * The HTTP/1.1 client's error codes, as the rest of the proxy reads them: the status the
 * client gets (upstream-errors.ts), whether the pipeline may retry on another target, and
 * how passive health counts them.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../core/lib/errors.js';
import { errorOutcome } from '../../../../core/proxy/health/passive.js';
import { H1Code, H1Error } from '../../../../core/proxy/http1/errors.js';
import { classifyUpstreamError, isRetryable } from '../../../../core/proxy/upstream-errors.js';
import { Outcome } from '../../../../core/shared/upstream-state.js';

const err = (code: H1Code): H1Error => new H1Error(code, code);

describe('H1 error codes', () => {
  it.each([
    [H1Code.CONNECT_TIMEOUT, ErrorCode.GATEWAY_TIMEOUT],
    [H1Code.HEADERS_TIMEOUT, ErrorCode.GATEWAY_TIMEOUT],
    [H1Code.BODY_TIMEOUT, ErrorCode.GATEWAY_TIMEOUT],
    [H1Code.WRITE_TIMEOUT, ErrorCode.GATEWAY_TIMEOUT],
    [H1Code.CLOSED, ErrorCode.BAD_GATEWAY],
    [H1Code.MALFORMED, ErrorCode.BAD_GATEWAY],
    [H1Code.HEAD_TOO_LARGE, ErrorCode.BAD_GATEWAY],
    [H1Code.INVALID_REQUEST, ErrorCode.BAD_GATEWAY],
    [H1Code.POOL_CLOSED, ErrorCode.BAD_GATEWAY],
  ])('%s answers %s', (code, expected) => {
    expect(classifyUpstreamError(err(code))).toBe(expected);
  });

  it('a connect timeout is retried on another target for any method; a close only for idempotent ones', () => {
    expect(isRetryable(err(H1Code.CONNECT_TIMEOUT), 'POST')).toBe(true);
    expect(isRetryable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'POST')).toBe(true);
    expect(isRetryable(err(H1Code.CLOSED), 'GET')).toBe(true);
    expect(isRetryable(err(H1Code.CLOSED), 'POST')).toBe(false);
  });

  it('timeouts and malformed answers are never retried (the upstream got the request)', () => {
    for (const code of [H1Code.HEADERS_TIMEOUT, H1Code.BODY_TIMEOUT, H1Code.WRITE_TIMEOUT, H1Code.MALFORMED, H1Code.HEAD_TOO_LARGE]) {
      expect(isRetryable(err(code), 'GET'), code).toBe(false);
    }
  });

  it('passive health counts the timeouts as timeouts and a close as a TCP failure', () => {
    for (const code of [H1Code.CONNECT_TIMEOUT, H1Code.HEADERS_TIMEOUT, H1Code.BODY_TIMEOUT, H1Code.WRITE_TIMEOUT]) {
      expect(errorOutcome(err(code)), code).toBe(Outcome.TIMEOUT);
    }
    expect(errorOutcome(err(H1Code.CLOSED))).toBe(Outcome.TCP_FAILURE);
    expect(errorOutcome(err(H1Code.MALFORMED))).toBe(-1);
    expect(errorOutcome(err(H1Code.ABORTED))).toBe(-1);
  });
});
