/**
 * Kong's upstream health endpoints:
 *   GET  /upstreams/{id|name}/health[?balancer_health=1]
 *   PUT|POST /upstreams/{id|name}/targets/{id|host:port}/healthy|unhealthy  (manual set, 204)
 */
import type { Handler, RouteDef } from '../dispatch.js';
import { notFound } from '../errors.js';

function setHealth(healthy: boolean): Handler {
  return (req) => {
    const ok = req.state.supervisor.health.setTargetHealth(req.params['upstream'] ?? '', req.params['target'] ?? '', healthy);
    if (!ok) throw notFound();
    return { status: 204 };
  };
}

export function healthRoutes(): RouteDef[] {
  return [
    {
      pattern: '/upstreams/:upstream/health',
      methods: {
        GET: (req) => {
          const health = req.state.supervisor.health;
          const id = req.params['upstream'] ?? '';
          const body = req.query.get('balancer_health') === '1' ? health.balancerHealth(id) : health.health(id);
          if (body === null) throw notFound();
          return { status: 200, body };
        },
      },
    },
    { pattern: '/upstreams/:upstream/targets/:target/healthy', methods: { PUT: setHealth(true), POST: setHealth(true) } },
    { pattern: '/upstreams/:upstream/targets/:target/unhealthy', methods: { PUT: setHealth(false), POST: setHealth(false) } },
  ];
}
