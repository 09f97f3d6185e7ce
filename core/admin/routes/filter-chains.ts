/** `/filter_chains[/{id|name}]` and the forms under a service or a route. */
import { crudRoutes, nestedRoutes } from '../crud.js';
import type { RouteDef } from '../dispatch.js';

export function filterChainRoutes(): RouteDef[] {
  return [
    ...crudRoutes('filter_chains'),
    ...nestedRoutes('filter_chains', 'services', 'service'),
    ...nestedRoutes('filter_chains', 'routes', 'route'),
  ];
}
