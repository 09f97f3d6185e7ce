/** opentelemetry: Kong's defaults (queue batch 200, w3c, sampling 0.01), deprecated fields, refusals. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledOtel } from '../../../../core/plugins/opentelemetry/definition.js';

const P = 'services[0].routes[0].plugins[0].config';
const otel = (config: Record<string, unknown>) => ({ name: 'opentelemetry', config });

describe('opentelemetry schema', () => {
  it("fills Kong's defaults", () => {
    const c = compiledConfig<CompiledOtel>(otel({ traces_endpoint: 'http://collector:4318/v1/traces' }));
    expect([c.origin, c.path]).toEqual(['http://collector:4318', '/v1/traces']);
    expect(c.headers).toEqual(['content-type', 'application/x-protobuf']);
    expect(c.queue.maxBatchSize).toBe(200);
    expect([c.connectTimeoutMs, c.sendTimeoutMs, c.readTimeoutMs]).toEqual([1000, 5000, 5000]);
    expect([c.extract, c.inject, c.clear, c.samplingRate, c.traceIdHeader]).toEqual([true, true, [], 0.01, null]);
  });

  it('the deprecated endpoint, batch_span_count and batch_flush_delay still work (Kong converts them)', () => {
    const c = compiledConfig<CompiledOtel>(otel({ endpoint: 'https://c.example/v1/traces', batch_span_count: 10, batch_flush_delay: 1, headers: { Authorization: 'Bearer t' }, sampling_rate: 1 }));
    expect(c.origin).toBe('https://c.example:443');
    expect([c.queue.maxBatchSize, c.queue.maxCoalescingDelayMs]).toEqual([10, 1000]);
    expect(c.headers).toEqual(['content-type', 'application/x-protobuf', 'authorization', 'Bearer t']);
    expect(c.samplingRate).toBe(1);
  });

  it('propagation: extract [] reads nothing, inject [] writes nothing, clear lists headers to drop', () => {
    const c = compiledConfig<CompiledOtel>(otel({ traces_endpoint: 'http://c/', propagation: { extract: [], inject: [], clear: ['X-Trace'] } }));
    expect([c.extract, c.inject, c.clear]).toEqual([false, false, ['x-trace']]);
    expect(compiledConfig<CompiledOtel>(otel({ traces_endpoint: 'http://c/', header_type: 'ignore' })).extract).toBe(false);
  });

  it('refuses a missing endpoint, logs_endpoint, formats other than w3c, bad sampling rates', () => {
    expect(configErrors(otel({}))).toEqual([`${P}: at least one of these fields must be non-empty: 'config.traces_endpoint', 'config.logs_endpoint'`]);
    expect(configErrors(otel({ logs_endpoint: 'http://c/v1/logs' }))).toEqual([`${P}.logs_endpoint: not supported: Gatehouse exports traces only; remove logs_endpoint (use http-log for log entries)`]);
    expect(configErrors(otel({ traces_endpoint: 'http://c/', propagation: { extract: ['w3c', 'b3'] } }))).toEqual([`${P}.propagation.extract[1]: not supported: Gatehouse propagates W3C trace context only ("b3" is not implemented)`]);
    expect(configErrors(otel({ traces_endpoint: 'http://c/', propagation: { inject: ['datadog'] } }))).toEqual([`${P}.propagation.inject[0]: not supported: Gatehouse propagates W3C trace context only ("datadog" is not implemented)`]);
    expect(configErrors(otel({ traces_endpoint: 'http://c/', header_type: 'jaeger' }))[0]).toContain(`${P}.header_type: not supported`);
    expect(configErrors(otel({ traces_endpoint: 'http://c/', sampling_rate: 2 }))[0]).toContain(`${P}.sampling_rate`);
    expect(configErrors(otel({ traces_endpoint: 'http://c/', propagation: { extract: ['zipkin'] } }))[0]).toContain(`${P}.propagation.extract[0]: must be one of`);
  });
});
