/**
 * `/upstreams/{id|name}/targets[/{id|host:port}]`. Targets exist only under their
 * upstream, as in Kong; a target key without a port means port 8000.
 */
import { nestedRoutes } from '../crud.js';
import type { RouteDef } from '../dispatch.js';

export function targetRoutes(): RouteDef[] {
  return nestedRoutes('targets', 'upstreams', 'upstream');
}
