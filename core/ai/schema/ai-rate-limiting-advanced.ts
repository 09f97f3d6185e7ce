/** ai-rate-limiting-advanced: token (or cost) limits per window (Kong's field names and defaults). */
import { PROVIDERS, bool, integer, list, number, oneOf, record, text } from './fields.js';
import type { Schema } from './fields.js';

export function aiRateLimitingAdvancedSchema(): Schema {
  return record('ai-rate-limiting-advanced: limit tokens (or cost) per identifier and window, per provider.', {
    llm_providers: list('Limits per provider: `limit[i]` tokens (or cost units) per `window_size[i]` seconds.', record('Limits for one provider.', {
      name: oneOf('Provider the limits apply to.', PROVIDERS),
      limit: list('Allowed tokens (or cost) per window, one per window size.', number('A limit.', { exclusiveMinimum: 0 }), { minItems: 1 }),
      window_size: list('Window sizes in seconds, matched to `limit` by position.', integer('A window size.', 1, 31_536_000), { minItems: 1 }),
    }, ['name', 'limit', 'window_size']), { minItems: 1 }),
    identifier: oneOf('What a limit is counted per.', ['consumer', 'credential', 'ip', 'service', 'header', 'path', 'consumer-group'], 'consumer'),
    header_name: text('Header whose value identifies the caller when identifier is `header`.'),
    path: text('Path counted when identifier is `path`.'),
    tokens_count_strategy: oneOf('What is counted: tokens, or `cost` (a budget in price-table currency).', ['total_tokens', 'prompt_tokens', 'completion_tokens', 'cost'], 'total_tokens'),
    window_type: oneOf('Sliding or fixed windows.', ['sliding', 'fixed'], 'sliding'),
    strategy: oneOf('Where counters live: this node\'s shared memory (all workers) or Redis.', ['local', 'redis'], 'local'),
    redis: record('Redis connection when strategy is `redis`.', {
      host: text('Redis host.'),
      port: integer('Redis port.', 0, 65_535, 6379),
      database: integer('Redis database.', 0, 2_147_483_647, 0),
      username: text('Redis ACL user.'),
      password: text('Redis password.'),
      timeout: integer('Redis timeout in milliseconds.', 0, 2_147_483_646, 2000),
    }),
    sync_rate: number('Seconds between syncs with Redis; -1 counts locally only.', { minimum: -1, default: -1 }),
    namespace: text('Counter namespace, to share or separate counters between plugin instances.'),
    hide_client_headers: bool('Do not send the X-AI-RateLimit-* headers.', false),
    error_code: integer('Status code of a rejected request.', 0, 599, 429),
    error_message: text('Message of a rejected request.', { default: 'AI token rate limit exceeded for provider(s): ' }),
    retry_after_jitter_max: integer('Maximum random seconds added to Retry-After.', 0, 86_400, 0),
    disable_penalty: bool('Do not count requests rejected by this plugin.', false),
  }, ['llm_providers']);
}
