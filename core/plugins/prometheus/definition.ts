/**
 * prometheus, compile side (Kong priority 13). Metrics stay on the admin /metrics
 * (core/observe/prometheus.ts); this plugin only decides, per request it sees, which of
 * Kong's traffic families the request feeds. A config with at least one prometheus plugin
 * switches the gateway to Kong's rule (only requests through one are recorded); without
 * one every request is recorded in every family (Gatehouse's default).
 */
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import type { TrafficSeries } from '../contract.js';
import { prometheusSchema } from './schema.js';

interface PrometheusConfig {
  per_consumer: boolean;
  status_code_metrics: boolean;
  ai_metrics: boolean;
  latency_metrics: boolean;
  bandwidth_metrics: boolean;
  upstream_health_metrics: boolean;
}

export interface CompiledPrometheus extends TrafficSeries {
  /** Read by the supervisor (core/plugins/prometheus/mode.ts), not per request. */
  readonly upstreamHealth: boolean;
}

export const definition: PluginDefinition<PrometheusConfig, CompiledPrometheus> = {
  name: 'prometheus',
  version: '3.9.0',
  priority: 13,
  schema: prometheusSchema(),
  scopes: ALL_SCOPES,
  compile: (c) => ({
    perConsumer: c.per_consumer,
    statusCodes: c.status_code_metrics,
    latency: c.latency_metrics,
    bandwidth: c.bandwidth_metrics,
    upstreamHealth: c.upstream_health_metrics,
  }),
};
