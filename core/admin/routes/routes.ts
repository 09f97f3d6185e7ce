/** `/routes`, `/routes/{id|name}` and the nested `/services/{id|name}/routes[/{id|name}]`. */
import { crudRoutes, nestedRoutes } from '../crud.js';
import type { RouteDef } from '../dispatch.js';

export function routeRoutes(): RouteDef[] {
  return [...crudRoutes('routes'), ...nestedRoutes('routes', 'services', 'service')];
}
