/**
 * Per-worker traffic metrics, recorded once per finished request and shipped to the
 * supervisor on demand (a scrape of the admin `/metrics`).
 *
 *   requests   count per (service, route, status code)
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
import type { RequestContext } from '../worker/context.js';
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
  readonly codes = new Map<number, number>();
  readonly total = newLatencyHistogram();
  readonly upstream = newLatencyHistogram();
  readonly kong = newLatencyHistogram();
  ingress = 0;
  egress = 0;
  constructor(service: string, route: string) {
    this.service = service;
    this.route = route;
  }
}

export interface SeriesSnapshot {
  service: string;
  route: string;
  /** [status, count] pairs. */
  codes: [number, number][];
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
}

function clampMicros(ms: number): number {
  const us = Math.round(ms * 1000);
  return us < 0 ? 0 : us > HIST_HIGHEST ? HIST_HIGHEST : us;
}

export class WorkerMetrics {
  readonly #series = new Map<string, Series>();
  readonly #ai = new Map<string, AiSeries>();
  readonly #aiBlocked = new Map<string, number>();

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

  record(ctx: RequestContext, now: number): void {
    const service = ctx.service === null ? '' : ctx.service.config.name;
    const route = ctx.route === null ? '' : ctx.route.name;
    const key = `${service}\u0000${route}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = new Series(service, route);
      this.#series.set(key, series);
    }
    series.codes.set(ctx.status, (series.codes.get(ctx.status) ?? 0) + 1);
    series.total.recordValue(clampMicros(now - ctx.startTime));
    if (ctx.upstreamStart > 0) {
      series.kong.recordValue(clampMicros(ctx.upstreamStart - ctx.startTime));
      if (ctx.upstreamFirstByte > 0) series.upstream.recordValue(clampMicros(ctx.upstreamFirstByte - ctx.upstreamStart));
    }
    series.ingress += ctx.bytesIn;
    series.egress += ctx.bytesOut;
  }

  snapshot(wasm: WasmMetrics | null): MetricsSnapshot {
    const series: SeriesSnapshot[] = [];
    for (const s of this.#series.values()) {
      series.push({
        service: s.service,
        route: s.route,
        codes: [...s.codes],
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
    return { series, ai, aiBlocked, wasm: wasm === null ? [] : wasm.snapshot(), wasmFaults: wasm === null ? [] : wasm.faults() };
  }
}
