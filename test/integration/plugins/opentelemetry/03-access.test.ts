/**
 * opentelemetry through a gateway with 2 workers, exporting to a local OTLP/HTTP receiver
 * that decodes the protobuf it gets: a SERVER span per request and a CLIENT span for the
 * upstream call, W3C traceparent extracted from the client and injected upstream (the
 * upstream's parent is the client span), parent-based sampling, the trace id on the
 * response; a collector that is down fails no request and its losses are counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, startRoutesRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { refusedPort } from '../../../helpers/log-receivers.js';
import { startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from '../../../helpers/otlp-receiver.js';
import { waitFor, within } from '../../../helpers/wait.js';

let rig: PluginRig;
let otlp: OtlpReceiver;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  const down = await refusedPort();
  const queue = { max_batch_size: 10, max_coalescing_delay: 0.1, initial_retry_delay: 0.02, max_retry_delay: 0.05 };
  rig = await startRoutesRig([
    {
      name: 'traced',
      path: '/t',
      plugins: [{ name: 'opentelemetry', config: { traces_endpoint: `${otlp.url}/v1/traces`, headers: { 'X-Api-Key': 'k1' }, resource_attributes: { 'service.name': 'edge', env: 'test' }, sampling_rate: 1, http_response_header_for_traceid: 'X-Trace-Id', queue } }],
    },
    { name: 'unsampled', path: '/u', plugins: [{ name: 'opentelemetry', config: { traces_endpoint: `${otlp.url}/v1/traces`, sampling_rate: 0, queue } }] },
    { name: 'down', path: '/down', plugins: [{ name: 'opentelemetry', config: { traces_endpoint: `http://127.0.0.1:${down}/v1/traces`, sampling_rate: 1, queue: { ...queue, max_retry_time: 0.1 } } }] },
  ]);
});

afterAll(async () => {
  await rig?.close();
  await otlp?.close();
});

function upstreamTraceparent(path: string): string {
  const got = rig.upstream.received.find((r) => r.url === path);
  return String(got?.headers['traceparent'] ?? '');
}

function spansOf(traceId: string): DecodedSpan[] {
  return otlp.spans().filter((s) => s.traceId === traceId);
}

describe('opentelemetry', () => {
  it('a request without trace context: a new trace, a server span and a client span, traceparent injected upstream', async () => {
    const res = await fetch(rig.url('/t/new?x=1'));
    expect(res.status).toBe(200);
    const traceId = res.headers.get('x-trace-id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const injected = TRACEPARENT.exec(upstreamTraceparent('/new?x=1'));
    expect(injected?.[1]).toBe(traceId);
    expect(injected?.[3]).toBe('01');
    await waitFor(() => spansOf(traceId).length === 2, 5000, 'two spans');
    const root = spansOf(traceId).find((s) => s.name === 'kong') as DecodedSpan;
    const call = spansOf(traceId).find((s) => s.name === 'kong.balancer') as DecodedSpan;
    expect(root.kind).toBe(2);
    expect(root.parentSpanId).toBe('');
    expect(root.attributes).toMatchObject({ 'http.method': 'GET', 'http.scheme': 'http', 'http.status_code': 200, 'net.peer.ip': '127.0.0.1', 'http.flavor': '1.1' });
    expect(String(root.attributes['http.url'])).toMatch(/^http:\/\/127\.0\.0\.1\/t\/new\?x=1$/);
    expect(call.kind).toBe(3);
    // The upstream saw the client span as its parent.
    expect(call.spanId).toBe(injected?.[2]);
    expect(call.parentSpanId).toBe(root.spanId);
    expect(call.attributes).toMatchObject({ 'net.peer.ip': '127.0.0.1', 'net.peer.port': rig.upstream.port, 'http.status_code': 200, try_count: 1 });
    expect(call.status).toBe(0);
    // Timed from the request: the call lies within the request.
    expect(root.startNs <= call.startNs && call.startNs <= call.endNs && call.endNs <= root.endNs).toBe(true);
    expect(root.endNs - root.startNs).toBeLessThan(60_000_000_000n);
    const exp = otlp.exports.find((e) => e.decoded.spans.some((s) => s.traceId === traceId));
    expect(exp?.path).toBe('/v1/traces');
    expect(exp?.headers['content-type']).toBe('application/x-protobuf');
    expect(exp?.headers['x-api-key']).toBe('k1');
    expect(exp?.decoded.resource).toMatchObject({ 'service.name': 'edge', env: 'test' });
    expect(typeof exp?.decoded.resource['service.version']).toBe('string');
    expect(exp?.decoded.scope.name).toBe('kong-internal');
  });

  it("continues the client's trace: its trace id, its span as the parent, tracestate kept", async () => {
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await fetch(rig.url('/t/continued'), { headers: { traceparent: parent, tracestate: 'vendor=abc' } });
    expect(res.headers.get('x-trace-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    const injected = TRACEPARENT.exec(upstreamTraceparent('/continued'));
    expect(injected?.[1]).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(injected?.[2]).not.toBe('00f067aa0ba902b7');
    expect(rig.upstream.received.find((r) => r.url === '/continued')?.headers['tracestate']).toBe('vendor=abc');
    await waitFor(() => spansOf('4bf92f3577b34da6a3ce929d0e0e4736').length === 2, 5000, 'the continued spans');
    const root = spansOf('4bf92f3577b34da6a3ce929d0e0e4736').find((s) => s.name === 'kong');
    expect(root?.parentSpanId).toBe('00f067aa0ba902b7');
    expect(root?.traceState).toBe('vendor=abc');
  });

  it('sampling: unsampled traces propagate with flag 00 and export nothing; a sampled parent is honoured', async () => {
    const res = await fetch(rig.url('/u/none'));
    expect(res.status).toBe(200);
    const injected = TRACEPARENT.exec(upstreamTraceparent('/none'));
    expect(injected?.[3]).toBe('00');
    const sampledParent = '00-11111111111111111111111111111111-2222222222222222-01';
    expect((await fetch(rig.url('/u/parent'), { headers: { traceparent: sampledParent } })).status).toBe(200);
    await waitFor(() => spansOf('11111111111111111111111111111111').length === 2, 5000, "the sampled parent's spans");
    expect(spansOf(injected?.[1] ?? '')).toEqual([]);
    // An invalid traceparent is ignored: a new trace starts.
    expect((await fetch(rig.url('/u/bad'), { headers: { traceparent: '00-zz-yy-01' } })).status).toBe(200);
    expect(TRACEPARENT.exec(upstreamTraceparent('/bad'))?.[1]).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a collector that is down fails no request; the lost spans are counted', async () => {
    for (let i = 0; i < 3; i++) expect((await within(fetch(rig.url(`/down/${i}`)), 3000, 'request with the collector down')).status).toBe(200);
    await waitFor(async () => (await metricValue(rig, 'gatehouse_plugin_failures_total', { plugin: 'opentelemetry', kind: 'dropped_retries_exhausted' })) >= 6, 8000, 'lost spans counted');
  });
});
