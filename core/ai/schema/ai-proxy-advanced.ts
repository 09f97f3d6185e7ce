/** ai-proxy-advanced: several targets, a balancer, failover (Kong's field names and defaults). */
import { LLM_FORMATS, MAX_REQUEST_BODY_SIZE, ROUTE_TYPES, authSchema, bool, integer, list, loggingSchema, modelSchema, oneOf, record, text } from './fields.js';
import type { Schema } from './fields.js';

export const FAILOVER_CRITERIA = ['error', 'timeout', 'invalid_header', 'http_403', 'http_404', 'http_429', 'http_500', 'http_502', 'http_503', 'http_504', 'non_idempotent'] as const;

export function aiProxyAdvancedSchema(): Schema {
  const timeout = (what: string): Schema => integer(`${what} timeout towards a target, in milliseconds.`, 1, 2_147_483_646, 60_000);
  return record('ai-proxy-advanced: balance a route over several LLM targets with failover.', {
    // Kong's defaults apply when `balancer` is left out (ajv fills the inserted object's fields).
    balancer: { default: {}, ...record('How targets are chosen and when to fail over.', {
      algorithm: oneOf('Load-balancing algorithm; `priority` tries the highest-weight group first.', ['round-robin', 'lowest-latency', 'lowest-usage', 'consistent-hashing', 'priority'], 'round-robin'),
      latency_strategy: oneOf('lowest-latency metric: `tpot` (time per output token), `e2e` (total) or `ttft` (time to first token, a Gatehouse addition).', ['tpot', 'e2e', 'ttft'], 'tpot'),
      tokens_count_strategy: oneOf('lowest-usage metric.', ['total-tokens', 'prompt-tokens', 'completion-tokens', 'cost'], 'total-tokens'),
      hash_on_header: text('Header hashed by consistent-hashing (the consumer id when the header is absent).', { default: 'X-Kong-LLM-Request-ID' }),
      slots: integer('Ring size for consistent-hashing (accepted for Kong compatibility; the ring is rendezvous-hashed).', 10, 65_536, 10_000),
      retries: integer('Further targets tried after a failure.', 0, 32_767, 5),
      failover_criteria: list('Which outcomes send the request to the next target.', oneOf('An outcome.', FAILOVER_CRITERIA), { default: ['error', 'timeout'], uniqueItems: true }),
      max_fails: integer('Failures within fail_timeout that open a target\'s circuit; 0 disables the breaker.', 0, 32_767, 0),
      fail_timeout: integer('Failure window and open-circuit duration, in milliseconds.', 1, 2_147_483_646, 10_000),
      connect_timeout: timeout('Connect'),
      read_timeout: timeout('Read'),
      write_timeout: timeout('Write'),
    }) },
    targets: list('The models to balance over.', record('One target.', {
      route_type: oneOf('The operation this target serves (the same for every target): llm/v1/chat, llm/v1/completions or llm/v1/embeddings; see ai-proxy for the providers of each.', ROUTE_TYPES),
      model: modelSchema(),
      auth: authSchema(),
      logging: loggingSchema(),
      weight: integer('Share of traffic (round-robin) or priority group (priority).', 1, 65_535, 100),
      description: text('Free-text description of the target.'),
    }, ['route_type', 'model']), { minItems: 1 }),
    llm_format: oneOf('The format clients speak on this route; anthropic only with route_type llm/v1/chat.', LLM_FORMATS, 'openai'),
    response_streaming: oneOf("Whether to 'allow', 'deny' or 'always' stream answers.", ['allow', 'deny', 'always'], 'allow'),
    max_request_body_size: integer('Largest request body read, in bytes; 0 = unlimited.', 0, 2_147_483_647, MAX_REQUEST_BODY_SIZE),
    model_name_header: bool('Send the model used in the X-Kong-LLM-Model response header.', true),
  }, ['targets']);
}
