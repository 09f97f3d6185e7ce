/** `GET /metrics`: Prometheus text exposition, every worker's counters merged. */
import type { RouteDef } from '../dispatch.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function metricsRoutes(): RouteDef[] {
  return [
    {
      pattern: '/metrics',
      methods: {
        GET: async (req) => ({ status: 200, text: await req.state.supervisor.metricsText(), contentType: PROMETHEUS_CONTENT_TYPE }),
      },
    },
  ];
}
