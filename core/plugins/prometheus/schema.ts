/** prometheus's config (Kong 3.x fields and defaults, kong/plugins/prometheus/schema.lua). */
import { bool, record, type Schema } from '../../lib/schema-kit.js';

export function prometheusSchema(): Schema {
  return record('prometheus: the requests it sees feed Kong\'s traffic metrics on the admin /metrics, the families its options turn on.', {
    per_consumer: bool('Fill the consumer label of kong_http_requests_total and kong_bandwidth_bytes (the consumer\'s username) when a consumer is known.', false),
    status_code_metrics: bool('Export kong_http_requests_total (status codes per service/route).', false),
    ai_metrics: bool('Kong: export the AI metrics. Gatehouse exports ai_llm_* for every AI request whatever this says.', false),
    latency_metrics: bool('Export kong_request_latency_ms, kong_upstream_latency_ms and kong_kong_latency_ms.', false),
    bandwidth_metrics: bool('Export kong_bandwidth_bytes.', false),
    upstream_health_metrics: bool('Export kong_upstream_target_health.', false),
  });
}
