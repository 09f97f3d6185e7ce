/** The OTLP protobuf encoder against an independent decoder, and W3C traceparent parsing. */
import { describe, expect, it } from 'vitest';
import { encodeExport, encodeResource, encodeSpan, SpanKind, StatusCode } from '../../../../core/plugins/opentelemetry/otlp.js';
import { formatTraceparent, parseTraceparent, randomHex } from '../../../../core/plugins/opentelemetry/trace-context.js';
import { decodeExport } from '../../../helpers/otlp-receiver.js';

describe('OTLP encoding', () => {
  it('round-trips spans, attributes of every kind, status and the resource', () => {
    const span = encodeSpan({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: '00f067aa0ba902b7',
      traceState: 'congo=t61rcWkgMzE',
      name: 'kong',
      kind: SpanKind.SERVER,
      startNs: 1_700_000_000_123_456_789n,
      endNs: 1_700_000_000_223_456_789n,
      attributes: [['http.method', 'GET'], ['http.status_code', { int: 503 }], ['ratio', 0.5], ['ok', true]],
      status: StatusCode.ERROR,
    });
    const decoded = decodeExport(encodeExport(encodeResource([['service.name', 'kong'], ['env', 'test']]), [span, span]));
    expect(decoded.resource).toEqual({ 'service.name': 'kong', env: 'test' });
    expect(decoded.scope).toEqual({ name: 'kong-internal', version: '0.1.0' });
    expect(decoded.spans).toHaveLength(2);
    expect(decoded.spans[0]).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: '00f067aa0ba902b7',
      traceState: 'congo=t61rcWkgMzE',
      name: 'kong',
      kind: 2,
      startNs: 1_700_000_000_123_456_789n,
      endNs: 1_700_000_000_223_456_789n,
      attributes: { 'http.method': 'GET', 'http.status_code': 503, ratio: 0.5, ok: true },
      status: 2,
    });
  });

  it('a root span has no parent id; UNSET status is left out', () => {
    const s = encodeSpan({ traceId: randomHex(16), spanId: randomHex(8), parentSpanId: '', traceState: '', name: 'x', kind: SpanKind.CLIENT, startNs: 1n, endNs: 2n, attributes: [], status: StatusCode.UNSET });
    const [d] = decodeExport(encodeExport(encodeResource([]), [s])).spans;
    expect([d?.parentSpanId, d?.status, d?.kind]).toEqual(['', 0, 3]);
  });
});

describe('traceparent', () => {
  it('parses the W3C examples and refuses invalid ones', () => {
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', sampled: true });
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00')?.sampled).toBe(false);
    // A later version may carry more fields; version ff is invalid; all-zero ids are invalid.
    expect(parseTraceparent('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra')?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    for (const bad of [undefined, '', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-00000000000000000000000000000000-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01', '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x']) {
      expect([bad, parseTraceparent(bad)]).toEqual([bad, null]);
    }
  });

  it('formats version 00 with the sampled flag', () => {
    expect(formatTraceparent('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', true)).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(randomHex(16)).toMatch(/^[0-9a-f]{32}$/);
    expect(randomHex(8)).not.toBe(randomHex(8));
  });
});
