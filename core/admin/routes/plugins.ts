/**
 * `/plugins[/{id|instance_name}]`, and the scoped forms under a service, a route or a
 * consumer, where the parent sets the plugin's scope.
 */
import { crudRoutes, nestedRoutes } from '../crud.js';
import type { RouteDef } from '../dispatch.js';

export function pluginRoutes(): RouteDef[] {
  return [
    ...crudRoutes('plugins'),
    ...nestedRoutes('plugins', 'services', 'service'),
    ...nestedRoutes('plugins', 'routes', 'route'),
    ...nestedRoutes('plugins', 'consumers', 'consumer'),
  ];
}
