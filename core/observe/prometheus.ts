/**
 * Supervisor side of metrics: merge the workers' snapshots (hdr histograms added, counters
 * summed) and render Prometheus text with prom-client.
 *
 * Names follow Kong's Prometheus plugin where Kong has the metric, so existing Kong
 * dashboards work: kong_http_requests_total, kong_request_latency_ms, kong_upstream_latency_ms,
 * kong_kong_latency_ms, kong_bandwidth_bytes, kong_upstream_target_health, and the AI
 * metrics ai_llm_requests_total, ai_llm_tokens_total, ai_llm_cost_total,
 * ai_llm_provider_latency_ms (Kong's labels, plus route and consumer). Gateway-only facts
 * use the gatehouse_ prefix.
 */
import hdr from 'hdr-histogram-js';
import { Registry, type MetricObjectWithValues, type MetricValue, type MetricValueWithName } from 'prom-client';
import { newLatencyHistogram, type MetricsSnapshot } from './metrics.js';

/** Kong's default latency buckets (ms). */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 7, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 1000, 2000, 5000, 10000, 30000, 60000];

type JsHistogram = hdr.Histogram & {
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
  countsArrayLength: number;
};

interface MergedSeries {
  service: string;
  route: string;
  consumer: string;
  codes: Map<number, number>;
  kongCodes: Map<number, number>;
  bandwidth: boolean;
  total: hdr.Histogram;
  upstream: hdr.Histogram;
  kong: hdr.Histogram;
  ingress: number;
  egress: number;
}

/** Everything the supervisor adds beyond traffic. */
export interface GatewayFacts {
  workers: number;
  workersAlive: number;
  /** Alive but not answering the supervisor's heartbeat. */
  workersUnresponsive: number;
  workerRestarts: number;
  configReloads: number;
  configVersion: number;
  /** Kong's upstream target health rows. */
  targets: { upstream: string; target: string; address: string; state: 'healthy' | 'unhealthy' | 'healthchecks_off' | 'dns_error' }[];
  /**
   * Export kong_upstream_target_health (absent: yes). False when the config has prometheus
   * plugins and none turns upstream_health_metrics on (Kong's rule).
   */
  upstreamHealth?: boolean;
}

/** Prometheus metric names allow [a-zA-Z0-9_:]; guest-defined names may not. */
function promName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/^([0-9])/, '_$1');
}

export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): MergedSeries[] {
  const merged = new Map<string, MergedSeries>();
  for (const snap of snapshots) {
    for (const s of snap.series) {
      const consumer = s.consumer ?? '';
      const key = `${s.service}\u0000${s.route}\u0000${consumer}`;
      let m = merged.get(key);
      if (m === undefined) {
        m = {
          service: s.service,
          route: s.route,
          consumer,
          codes: new Map(),
          kongCodes: new Map(),
          bandwidth: false,
          total: newLatencyHistogram(),
          upstream: newLatencyHistogram(),
          kong: newLatencyHistogram(),
          ingress: 0,
          egress: 0,
        };
        merged.set(key, m);
      }
      for (const [code, n] of s.codes) m.codes.set(code, (m.codes.get(code) ?? 0) + n);
      for (const [code, n] of s.kongCodes ?? []) m.kongCodes.set(code, (m.kongCodes.get(code) ?? 0) + n);
      if (s.bandwidth ?? true) m.bandwidth = true;
      m.total.add(hdr.decodeFromCompressedBase64(s.total, 'packed', false));
      m.upstream.add(hdr.decodeFromCompressedBase64(s.upstream, 'packed', false));
      m.kong.add(hdr.decodeFromCompressedBase64(s.kong, 'packed', false));
      m.ingress += s.ingress;
      m.egress += s.egress;
    }
  }
  return [...merged.values()];
}

/** Cumulative counts at each bucket bound (ms), from a histogram in µs. */
export function bucketCounts(histogram: hdr.Histogram, boundsMs: readonly number[]): number[] {
  const h = histogram as JsHistogram;
  const out: number[] = [];
  let index = 0;
  let cumulative = 0;
  const length = h.countsArrayLength;
  for (const bound of boundsMs) {
    const last = Math.min(h.countsArrayIndex(bound * 1000), length - 1);
    for (; index <= last; index++) cumulative += h.getCountAtIndex(index);
    out.push(cumulative);
  }
  return out;
}

/** The mean times count of a histogram: Prometheus `_sum` in ms. */
function sumMs(histogram: hdr.Histogram): number {
  return (histogram.mean * histogram.totalCount) / 1000;
}

/** A prom-client metric whose values are computed at scrape time from merged data. */
class Computed {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator = 'sum' as const;
  readonly #values: () => (MetricValue<string> | MetricValueWithName<string>)[];
  constructor(name: string, help: string, type: 'counter' | 'gauge' | 'histogram', values: () => (MetricValue<string> | MetricValueWithName<string>)[]) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.#values = values;
  }
  get(): Promise<MetricObjectWithValues<MetricValue<string>>> {
    // prom-client's typings declare `type` as an enum, its runtime reads the string.
    const metric = { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.#values() };
    return Promise.resolve(metric as unknown as MetricObjectWithValues<MetricValue<string>>);
  }
  reset(): void {}
}

/** Latency histograms are per service/route (Kong's labels, no consumer): consumers' series added together. */
function latencyByRoute(series: readonly MergedSeries[]): MergedSeries[] {
  const byRoute = new Map<string, MergedSeries>();
  for (const s of series) {
    const key = `${s.service}\u0000${s.route}`;
    let m = byRoute.get(key);
    if (m === undefined) {
      m = { ...s, consumer: '', total: newLatencyHistogram(), upstream: newLatencyHistogram(), kong: newLatencyHistogram() };
      byRoute.set(key, m);
    }
    m.total.add(s.total);
    m.upstream.add(s.upstream);
    m.kong.add(s.kong);
  }
  return [...byRoute.values()];
}

function histogramValues(name: string, series: readonly MergedSeries[], pick: (s: MergedSeries) => hdr.Histogram): MetricValueWithName<string>[] {
  const values: MetricValueWithName<string>[] = [];
  for (const s of series) {
    const h = pick(s);
    if (h.totalCount === 0) continue;
    const labels = { service: s.service, route: s.route, workspace: 'default' };
    const counts = bucketCounts(h, LATENCY_BUCKETS_MS);
    LATENCY_BUCKETS_MS.forEach((le, i) => values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: String(le) }, value: counts[i] ?? 0 }));
    values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.totalCount });
    values.push({ metricName: `${name}_sum`, labels, value: sumMs(h) });
    values.push({ metricName: `${name}_count`, labels, value: h.totalCount });
  }
  return values;
}

export async function renderPrometheus(snapshots: readonly MetricsSnapshot[], facts: GatewayFacts): Promise<string> {
  const series = mergeSnapshots(snapshots);
  const latency = latencyByRoute(series);
  const registry = new Registry();
  const add: AddMetric = (name, help, type, values) => {
    registry.registerMetric(new Computed(name, help, type, values) as never);
  };
  // source (Kong's kong.response.get_source()): `service` for the upstream's responses,
  // `kong` for what the gateway or a plugin answered (a 502 for a dead upstream, a 401, a
  // 404 no route, …).
  add('kong_http_requests_total', 'HTTP status codes per consumer/service/route in Gatehouse', 'counter', () =>
    series.flatMap((s) => [
      ...[...s.codes].map(([code, n]) => ({ labels: { service: s.service, route: s.route, code: String(code), source: s.service === '' ? 'kong' : 'service', workspace: 'default', consumer: s.consumer }, value: n })),
      ...[...s.kongCodes].map(([code, n]) => ({ labels: { service: s.service, route: s.route, code: String(code), source: 'kong', workspace: 'default', consumer: s.consumer }, value: n })),
    ]),
  );
  add('kong_request_latency_ms', 'Total latency incurred during requests for each service/route in Gatehouse', 'histogram', () => histogramValues('kong_request_latency_ms', latency, (s) => s.total));
  add('kong_upstream_latency_ms', 'Latency added by upstream response for each service/route in Gatehouse', 'histogram', () => histogramValues('kong_upstream_latency_ms', latency, (s) => s.upstream));
  add('kong_kong_latency_ms', 'Latency added by Gatehouse for each service/route', 'histogram', () => histogramValues('kong_kong_latency_ms', latency, (s) => s.kong));
  add('kong_bandwidth_bytes', 'Total bandwidth (ingress/egress) throughput in bytes', 'counter', () =>
    series.flatMap((s) =>
      s.bandwidth
        ? [
            { labels: { service: s.service, route: s.route, direction: 'ingress', workspace: 'default', consumer: s.consumer }, value: s.ingress },
            { labels: { service: s.service, route: s.route, direction: 'egress', workspace: 'default', consumer: s.consumer }, value: s.egress },
          ]
        : [],
    ),
  );
  add('kong_upstream_target_health', 'Health status of targets of upstream (1 in the current state)', 'gauge', () =>
    (facts.upstreamHealth ?? true ? facts.targets : []).flatMap((t) =>
      (['healthchecks_off', 'healthy', 'unhealthy', 'dns_error'] as const).map((state) => ({
        labels: { upstream: t.upstream, target: t.target, address: t.address, state, subsystem: 'http' },
        value: t.state === state ? 1 : 0,
      })),
    ),
  );
  add('gatehouse_workers', 'Worker threads configured and alive', 'gauge', () => [
    { labels: { state: 'configured' }, value: facts.workers },
    { labels: { state: 'alive' }, value: facts.workersAlive },
    { labels: { state: 'unresponsive' }, value: facts.workersUnresponsive },
  ]);
  add('gatehouse_worker_restarts_total', 'Worker threads that died and were replaced', 'counter', () => [{ labels: {}, value: facts.workerRestarts }]);
  add('gatehouse_config_reloads_total', 'Configurations published after the first', 'counter', () => [{ labels: {}, value: facts.configReloads }]);
  add('gatehouse_config_version', 'Version of the configuration in force', 'gauge', () => [{ labels: {}, value: facts.configVersion }]);
  add('gatehouse_access_log_dropped_total', 'Access-log lines dropped because the destination could not keep up', 'counter', () => [
    { labels: {}, value: snapshots.reduce((sum, s) => sum + (s.accessLogDropped ?? 0), 0) },
  ]);
  addWasm(snapshots, add);
  addAi(snapshots, add);
  addPluginFailures(snapshots, add);
  return registry.metrics();
}

/** Counters keyed by two labels, `[a, b, n]` rows from every worker summed into samples labelled `names`. */
function twoLabelCounts(rows: Iterable<readonly [string, string, number]>, names: readonly [string, string]): MetricValue<string>[] {
  const sums = new Map<string, number>();
  for (const [a, b, n] of rows) {
    const key = `${a}\u0000${b}`;
    sums.set(key, (sums.get(key) ?? 0) + n);
  }
  return [...sums].map(([key, n]) => {
    const [a = '', b = ''] = key.split('\u0000');
    return { labels: { [names[0]]: a, [names[1]]: b }, value: n };
  });
}

/** Failures plugins counted off the request path (log sinks unreachable, entries dropped), summed over workers. */
function addPluginFailures(snapshots: readonly MetricsSnapshot[], add: AddMetric): void {
  const rows = snapshots.flatMap((snap) => snap.pluginFailures ?? []);
  add('gatehouse_plugin_failures_total', 'Work plugins failed to do off the request path: log deliveries that failed (send_failed) and log entries lost (dropped_*)', 'counter', () =>
    twoLabelCounts(rows, ['plugin', 'kind']),
  );
}

type AddMetric = (name: string, help: string, type: 'counter' | 'gauge' | 'histogram', values: () => (MetricValue<string> | MetricValueWithName<string>)[]) => void;

/** Guest-defined metrics (summed over workers) and the host's filter fault counters. */
function addWasm(snapshots: readonly MetricsSnapshot[], add: AddMetric): void {
  const guest = new Map<string, { type: 'counter' | 'gauge' | 'histogram'; value: number; count: number; sum: number }>();
  for (const snap of snapshots) {
    for (const m of snap.wasm) {
      const name = promName(m.name);
      const acc = guest.get(name) ?? { type: m.type, value: 0, count: 0, sum: 0 };
      acc.value += m.value;
      acc.count += m.count;
      acc.sum += m.sum;
      guest.set(name, acc);
    }
  }
  const faults = snapshots.flatMap((snap) => snap.wasmFaults);
  add('gatehouse_wasm_faults_total', 'WASM filter faults (traps, fuel exhausted, memory cap, pause timeouts, open circuit)', 'counter', () => twoLabelCounts(faults, ['filter', 'kind']));
  for (const [name, m] of guest) {
    if (m.type === 'histogram') {
      // Guests record samples without buckets: exposed as a summary's _count and _sum.
      add(name, `WASM filter metric ${name}`, 'gauge', () => [
        { metricName: `${name}_count`, labels: {}, value: m.count },
        { metricName: `${name}_sum`, labels: {}, value: m.sum },
      ]);
    } else {
      add(name, `WASM filter metric ${name}`, m.type, () => [{ labels: {}, value: m.value }]);
    }
  }
}

interface MergedAi {
  labels: Record<string, string>;
  requests: number;
  prompt: number;
  completion: number;
  estimatedPrompt: number;
  estimatedCompletion: number;
  cost: number;
  latency: hdr.Histogram;
  ttft: hdr.Histogram;
  tps: hdr.Histogram;
}

/** Buckets of gatehouse_ai_tokens_per_second (completion tokens per second of generation). */
const TPS_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

/** Kong's AI label set (no cache or vector db here: those labels are empty), plus route and consumer. */
function aiLabels(provider: string, model: string, route: string, consumer: string): Record<string, string> {
  return { ai_provider: provider, ai_model: model, cache_status: '', vector_db: '', embeddings_provider: '', embeddings_model: '', workspace: 'default', route, consumer };
}

function aiHistogram(name: string, rows: readonly MergedAi[], pick: (m: MergedAi) => hdr.Histogram, buckets: readonly number[] = LATENCY_BUCKETS_MS): MetricValueWithName<string>[] {
  const values: MetricValueWithName<string>[] = [];
  for (const m of rows) {
    const h = pick(m);
    if (h.totalCount === 0) continue;
    const counts = bucketCounts(h, buckets);
    buckets.forEach((le, i) => values.push({ metricName: `${name}_bucket`, labels: { ...m.labels, le: String(le) }, value: counts[i] ?? 0 }));
    values.push({ metricName: `${name}_bucket`, labels: { ...m.labels, le: '+Inf' }, value: h.totalCount });
    values.push({ metricName: `${name}_sum`, labels: m.labels, value: sumMs(h) });
    values.push({ metricName: `${name}_count`, labels: m.labels, value: h.totalCount });
  }
  return values;
}

/** LLM calls summed over workers, under Kong's AI metric names. */
function addAi(snapshots: readonly MetricsSnapshot[], add: AddMetric): void {
  const merged = new Map<string, MergedAi>();
  for (const snap of snapshots) {
    for (const a of snap.ai ?? []) {
      const key = `${a.provider}\u0000${a.model}\u0000${a.route}\u0000${a.consumer}`;
      let m = merged.get(key);
      if (m === undefined) {
        m = { labels: aiLabels(a.provider, a.model, a.route, a.consumer), requests: 0, prompt: 0, completion: 0, estimatedPrompt: 0, estimatedCompletion: 0, cost: 0, latency: newLatencyHistogram(), ttft: newLatencyHistogram(), tps: newLatencyHistogram() };
        merged.set(key, m);
      }
      m.requests += a.requests;
      m.prompt += a.prompt;
      m.completion += a.completion;
      m.estimatedPrompt += a.estimatedPrompt;
      m.estimatedCompletion += a.estimatedCompletion;
      m.cost += a.cost;
      m.latency.add(hdr.decodeFromCompressedBase64(a.latency, 'packed', false));
      m.ttft.add(hdr.decodeFromCompressedBase64(a.ttft, 'packed', false));
      if (a.tps !== undefined) m.tps.add(hdr.decodeFromCompressedBase64(a.tps, 'packed', false));
    }
  }
  const blocked = snapshots.flatMap((snap) => snap.aiBlocked ?? []);
  const rows = [...merged.values()];
  add('ai_llm_requests_total', 'AI requests total per ai_provider in Gatehouse', 'counter', () => rows.map((m) => ({ labels: m.labels, value: m.requests })));
  add('ai_llm_cost_total', 'AI requests cost per ai_provider/cache in Gatehouse', 'counter', () => rows.map((m) => ({ labels: m.labels, value: m.cost })));
  add('ai_llm_tokens_total', 'AI tokens total per ai_provider/cache in Gatehouse', 'counter', () =>
    rows.flatMap((m) => [
      { labels: { ...m.labels, token_type: 'prompt_tokens' }, value: m.prompt },
      { labels: { ...m.labels, token_type: 'completion_tokens' }, value: m.completion },
      { labels: { ...m.labels, token_type: 'total_tokens' }, value: m.prompt + m.completion },
    ]),
  );
  add('ai_llm_provider_latency_ms', 'LLM response latency for each AI plugin per ai_provider in Gatehouse', 'histogram', () => aiHistogram('ai_llm_provider_latency_ms', rows, (m) => m.latency));
  add('gatehouse_ai_time_to_first_token_ms', 'Time from dispatch to the first token of an LLM answer', 'histogram', () => aiHistogram('gatehouse_ai_time_to_first_token_ms', rows, (m) => m.ttft));
  add('gatehouse_ai_tokens_per_second', 'Completion tokens per second of generation (after the first token when streamed) per ai_provider', 'histogram', () => aiHistogram('gatehouse_ai_tokens_per_second', rows, (m) => m.tps, TPS_BUCKETS));
  add('gatehouse_ai_estimated_tokens_total', 'Tokens counted by estimate because the provider reported no usage (included in ai_llm_tokens_total)', 'counter', () =>
    rows.flatMap((m) => [
      { labels: { ...m.labels, token_type: 'prompt_tokens' }, value: m.estimatedPrompt },
      { labels: { ...m.labels, token_type: 'completion_tokens' }, value: m.estimatedCompletion },
    ]),
  );
  add('gatehouse_ai_prompts_blocked_total', 'Requests an ai-prompt-* plugin refused with 400', 'counter', () => twoLabelCounts(blocked, ['route', 'plugin']));
}
