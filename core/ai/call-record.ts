/**
 * What one AI call cost, recorded once when it ends: usage (the provider's or an estimate),
 * cost from the target's prices, latency and time to first token. It feeds the AI metrics
 * (Kong's names, per provider/model/route/consumer) and the `ai` block of the access-log
 * line (usage and cost only with `logging.log_statistics`, payloads only with
 * `logging.log_payloads`, as in Kong).
 */
import type { RequestContext } from '../worker/context.js';
import type { AiLogEntry, AiOwner } from './exchange-output.js';
import type { AiTargetRuntime } from './route-runtime.js';
import type { Usage } from './types.js';

/** What the log entry says beyond the record itself. */
export interface AiCallFacts {
  plugin: string;
  target: AiTargetRuntime | null;
  model: string;
  stream: boolean;
  ttft: number;
  error: string | null;
  payload: { request: string; response: string } | null;
}

/**
 * Completion tokens over generation time: from the first token to the end when the answer
 * streamed (decode speed), else over the whole call. -1 without tokens or time.
 */
export function tokensPerSecond(usage: Usage | null, latencyMs: number, ttftMs: number): number {
  if (usage === null || usage.completion <= 0 || latencyMs <= 0) return -1;
  const generating = ttftMs >= 0 && latencyMs - ttftMs >= 1 ? latencyMs - ttftMs : latencyMs;
  return (usage.completion * 1000) / generating;
}

export class AiCallRecord {
  usage: Usage | null = null;
  cost = 0;
  latency = -1;

  /** The call ended (answered, failed or cut): metrics now, the log entry later. */
  record(owner: AiOwner, ctx: RequestContext, target: AiTargetRuntime, responseModel: string, usage: Usage | null, ttft: number): void {
    this.usage = usage;
    this.latency = performance.now() - ctx.upstreamStart;
    this.cost = usage === null ? 0 : target.cost(responseModel, usage);
    owner.metrics.recordAi({
      provider: target.config.config.model.provider,
      model: target.modelName !== '' ? target.modelName : responseModel,
      route: ctx.route?.name ?? '',
      consumer: ctx.consumer === null ? '' : ctx.consumer.label,
      promptTokens: usage?.prompt ?? 0,
      completionTokens: usage?.completion ?? 0,
      estimated: usage?.estimated ?? false,
      cost: this.cost,
      latencyMs: this.latency,
      ttftMs: ttft,
      tokensPerSecond: tokensPerSecond(usage, this.latency, ttft),
    });
  }

  logEntry(tries: number, facts: AiCallFacts): AiLogEntry {
    const target = facts.target;
    const u = this.usage;
    const entry: AiLogEntry = {
      plugin: facts.plugin,
      provider: target === null ? '' : target.config.config.model.provider,
      model: facts.model,
      tries,
      stream: facts.stream,
      latency_ms: this.latency < 0 ? null : Math.round(this.latency * 1000) / 1000,
      ttft_ms: facts.ttft < 0 ? null : Math.round(facts.ttft * 1000) / 1000,
      error: facts.error,
    };
    if (target !== null && target.config.logStatistics) {
      entry.usage = u === null ? null : { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.total, estimated: u.estimated };
      entry.cost = this.cost;
    }
    if (target !== null && target.config.logPayloads && facts.payload !== null) entry.payload = facts.payload;
    return entry;
  }
}
