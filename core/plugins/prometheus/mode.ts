/**
 * What the supervisor needs to know of prometheus plugins when it renders /metrics:
 * Kong exports kong_upstream_target_health only when one of them turns
 * upstream_health_metrics on; without any prometheus plugin Gatehouse exports it always.
 */
import type { CompiledPlugins } from '../types.js';
import type { CompiledPrometheus } from './definition.js';

export function exportsUpstreamHealth(plugins: CompiledPlugins): boolean {
  const mine = plugins.instances.filter((i) => i.name === 'prometheus');
  return mine.length === 0 || mine.some((i) => (i.config as CompiledPrometheus).upstreamHealth);
}
