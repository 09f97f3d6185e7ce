/** `/upstreams` and `/upstreams/{id|name}` (names compare case-insensitively, as hostnames). */
import { crudRoutes } from '../crud.js';
import type { RouteDef } from '../dispatch.js';

export function upstreamRoutes(): RouteDef[] {
  return crudRoutes('upstreams');
}
