/**
 * Per-worker traffic metrics, recorded once per finished request and shipped to the
 * supervisor on demand (a scrape of the admin `/metrics`).
 *
 * Two ways a request is recorded: by the gateway itself for every request (no prometheus
 * plugin in the config: every family, consumer label empty), or, when the config has a
 * prometheus plugin, only by that plugin's log phase with its options (Kong's behaviour:
 * the families it turns on, the consumer label with per_consumer).
 *
 *   requests   count per (service, route, consumer, status code, source service|kong)
 *   latency    hdr histograms per (service, route): total request, upstream (time to the
 *              upstream's first byte), gateway (time spent before dispatch) — microseconds
 *   bandwidth  bytes per (service, route, direction ingress|egress)
 *   ai         per (provider, model, route, consumer): LLM calls, prompt/completion tokens
 *              (and how many of them are estimates), cost, provider latency and time to
 *              first token (hdr, µs); prompts blocked per (route, plugin)
 *
 * Label sets are interned once into a Series object, so recording is a Map look-up and a
 * few increments. Snapshots are cumulative since the worker started: the supervisor keeps
 * the last snapshot of a worker that dies so totals never go backwards.
 */
import hdr from 'hdr-histogram-js';
import type { PluginMetrics, PluginRequest, TrafficSeries } from '../plugins/contract.js';
import type { MetricSnapshot as WasmMetricSnapshot, WasmMetrics } from '../wasm/metrics.js';

/** 1 µs .. 1 h, 2 significant digits: bucket boundaries are placed within 1%. */
const HIST_LOWEST = 1;
const HIST_HIGHEST = 3_600_000_000;
const HIST_DIGITS = 2;

export function newLatencyHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: HIST_LOWEST,
    highestTrackableValue: HIST_HIGHEST,
    numberOfSignificantValueDigits: HIST_DIGITS,
    bitBucketSize: 'packed',
    useWebAssembly: false,
  });
}

class Series {
  readonly service: string;
  readonly route: string;
  readonly consumer: string;
  /** Statuses of responses that came from the upstream / that the gateway or a plugin sent. */
  readonly codes = new Map<number, number>();
  readonly kongCodes = new Map<number, number>();
  readonly total = newLatencyHistogram();
  readonly upstream = newLatencyHistogram();
  readonly kong = newLatencyHistogram();
  ingress = 0;
  egress = 0;
  /** Bandwidth is counted for this series (always, unless a prometheus plugin leaves it off). */
  bandwidth = false;
  constructor(service: string, route: string, consumer: string) {
    this.service = service;
    this.route = route;
    this.consumer = consumer;
  }
}

/** Every family, no consumer label: how the gateway records a request without a prometheus plugin. */
const ALL_SERIES: TrafficSeries = { perConsumer: false, statusCodes: true, latency: true, bandwidth: true };

export interface SeriesSnapshot {
  service: string;
  route: string;
  /** The consumer label ('' or absent: none). */
  consumer?: string;
  /** [status, count] pairs of responses from the upstream (or, without a service, from the gateway). */
  codes: [number, number][];
  /** [status, count] pairs of responses the gateway or a plugin sent (source="kong"). */
  kongCodes?: [number, number][];
  /** Whether ingress/egress are counted (absent: yes). */
  bandwidth?: boolean;
  /** hdr compressed base64 encodings (µs). */
  total: string;
  upstream: string;
  kong: string;
  ingress: number;
  egress: number;
}

/** One finished LLM call, as the AI exchange reports it. */
export interface AiSample {
  provider: string;
  model: string;
  route: string;
  consumer: string;
  promptTokens: number;
  completionTokens: number;
  /** The token counts are our estimate (the provider sent no usage). */
  estimated: boolean;
  cost: number;
  /** Dispatch to last byte, ms. */
  latencyMs: number;
  /** Dispatch to first token, ms; -1 when no token came (errors, empty answers). */
  ttftMs: number;
  /** Completion tokens per second of generation; -1 when there is nothing to divide. */
  tokensPerSecond: number;
}

class AiSeries {
  requests = 0;
  prompt = 0;
  completion = 0;
  estimatedPrompt = 0;
  estimatedCompletion = 0;
  cost = 0;
  readonly latency = newLatencyHistogram();
  readonly ttft = newLatencyHistogram();
  /** Tokens per second, recorded x1000 like the µs of the latency histograms. */
  readonly tps = newLatencyHistogram();
  constructor(
    readonly provider: string,
    readonly model: string,
    readonly route: string,
    readonly consumer: string,
  ) {}
}

export interface AiSeriesSnapshot {
  provider: string;
  model: string;
  route: string;
  consumer: string;
  requests: number;
  prompt: number;
  completion: number;
  estimatedPrompt: number;
  estimatedCompletion: number;
  cost: number;
  /** hdr compressed base64 (µs). */
  latency: string;
  ttft: string;
  /** Tokens per second x1000 (absent in snapshots from before the metric). */
  tps?: string;
}

export interface MetricsSnapshot {
  series: SeriesSnapshot[];
  /** LLM calls (optional: snapshots from before the AI gateway have none). */
  ai?: AiSeriesSnapshot[];
  /** [route, plugin, count]: prompts an ai-prompt-* plugin refused. */
  aiBlocked?: [string, string, number][];
  /** Metrics WASM guests defined (proxy_define_metric), and host-counted filter faults. */
  wasm: WasmMetricSnapshot[];
  wasmFaults: [string, string, number][];
  /** Access-log lines the worker dropped because the destination could not keep up (since it started). */
  accessLogDropped?: number;
  /** [plugin, kind, count]: work plugins failed to do off the request path. */
  pluginFailures?: [string, string, number][];
}

function clampMicros(ms: number): number {
  const us = Math.round(ms * 1000);
  return us < 0 ? 0 : us > HIST_HIGHEST ? HIST_HIGHEST : us;
}

export class WorkerMetrics implements PluginMetrics {
  readonly #series = new Map<string, Series>();
  readonly #ai = new Map<string, AiSeries>();
  readonly #aiBlocked = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  /** The gateway records every request itself (false: a prometheus plugin records them). */
  recordsAll = true;

  recordAi(s: AiSample): void {
    const key = `${s.provider}\u0000${s.model}\u0000${s.route}\u0000${s.consumer}`;
    let series = this.#ai.get(key);
    if (series === undefined) {
      series = new AiSeries(s.provider, s.model, s.route, s.consumer);
      this.#ai.set(key, series);
    }
    series.requests++;
    series.prompt += s.promptTokens;
    series.completion += s.completionTokens;
    if (s.estimated) {
      series.estimatedPrompt += s.promptTokens;
      series.estimatedCompletion += s.completionTokens;
    }
    series.cost += s.cost;
    if (s.latencyMs >= 0) series.latency.recordValue(clampMicros(s.latencyMs));
    if (s.ttftMs >= 0) series.ttft.recordValue(clampMicros(s.ttftMs));
    if (s.tokensPerSecond >= 0) series.tps.recordValue(clampMicros(s.tokensPerSecond));
  }

  recordAiBlocked(route: string, plugin: string): void {
    const key = `${route}\u0000${plugin}`;
    this.#aiBlocked.set(key, (this.#aiBlocked.get(key) ?? 0) + 1);
  }

  /** A finished request, recorded by the gateway (a no-op while a prometheus plugin records instead). */
  record(req: PluginRequest, now: number): void {
    if (this.recordsAll) this.#record(req, now, ALL_SERIES, '');
  }

  /** The prometheus plugin's log phase: Kong records nothing for a request without a service. */
  traffic(req: PluginRequest, series: TrafficSeries): void {
    if (req.serviceName === '') return;
    this.#record(req, performance.now(), series, series.perConsumer ? (req.consumer?.username ?? '') : '');
  }

  failure(plugin: string, kind: string, count = 1): void {
    const key = `${plugin}\u0000${kind}`;
    this.#failures.set(key, (this.#failures.get(key) ?? 0) + count);
  }

  #record(req: PluginRequest, now: number, options: TrafficSeries, consumer: string): void {
    const service = req.serviceName;
    const route = req.routeName;
    const key = consumer === '' ? `${service}\u0000${route}` : `${service}\u0000${route}\u0000${consumer}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = new Series(service, route, consumer);
      this.#series.set(key, series);
    }
    if (options.statusCodes) {
      const codes = req.fromUpstream || service === '' ? series.codes : series.kongCodes;
      codes.set(req.status, (codes.get(req.status) ?? 0) + 1);
    }
    if (options.latency) {
      series.total.recordValue(clampMicros(now - req.startTime));
      if (req.upstreamStart > 0) {
        series.kong.recordValue(clampMicros(req.upstreamStart - req.startTime));
        if (req.upstreamFirstByte > 0) series.upstream.recordValue(clampMicros(req.upstreamFirstByte - req.upstreamStart));
      }
    }
    if (options.bandwidth) {
      series.bandwidth = true;
      series.ingress += req.bytesIn;
      series.egress += req.bytesOut;
    }
  }

  snapshot(wasm: WasmMetrics | null): MetricsSnapshot {
    const series: SeriesSnapshot[] = [];
    for (const s of this.#series.values()) {
      series.push({
        service: s.service,
        route: s.route,
        consumer: s.consumer,
        codes: [...s.codes],
        kongCodes: [...s.kongCodes],
        bandwidth: s.bandwidth,
        total: hdr.encodeIntoCompressedBase64(s.total),
        upstream: hdr.encodeIntoCompressedBase64(s.upstream),
        kong: hdr.encodeIntoCompressedBase64(s.kong),
        ingress: s.ingress,
        egress: s.egress,
      });
    }
    const ai: AiSeriesSnapshot[] = [];
    for (const a of this.#ai.values()) {
      ai.push({
        provider: a.provider,
        model: a.model,
        route: a.route,
        consumer: a.consumer,
        requests: a.requests,
        prompt: a.prompt,
        completion: a.completion,
        estimatedPrompt: a.estimatedPrompt,
        estimatedCompletion: a.estimatedCompletion,
        cost: a.cost,
        latency: hdr.encodeIntoCompressedBase64(a.latency),
        ttft: hdr.encodeIntoCompressedBase64(a.ttft),
        tps: hdr.encodeIntoCompressedBase64(a.tps),
      });
    }
    const aiBlocked: [string, string, number][] = [];
    for (const [key, n] of this.#aiBlocked) {
      const [route = '', plugin = ''] = key.split('\u0000');
      aiBlocked.push([route, plugin, n]);
    }
    const pluginFailures: [string, string, number][] = [];
    for (const [key, n] of this.#failures) {
      const [plugin = '', kind = ''] = key.split('\u0000');
      pluginFailures.push([plugin, kind, n]);
    }
    return { series, ai, aiBlocked, pluginFailures, wasm: wasm === null ? [] : wasm.snapshot(), wasmFaults: wasm === null ? [] : wasm.faults() };
  }
}
