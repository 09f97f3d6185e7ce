/**
 * `/services`, `/services/{id|name}` and `/routes/{id|name}/service` (the service a
 * route points to: read it, or PATCH it in place).
 */
import { findEntity, patchHandler, readHandler, crudRoutes } from '../crud.js';
import type { AdminRequest, Handler, RouteDef } from '../dispatch.js';
import { notFound } from '../errors.js';

/** Rewrites `/routes/:parent/service` into the service's own `:id` and runs `handler`. */
function viaRoute(handler: Handler): Handler {
  return (req: AdminRequest) => {
    const route = findEntity(req.state, 'routes', req.params['parent'] as string);
    const service = route?.['service'] as { id: string } | null | undefined;
    if (route === null || service === null || service === undefined) throw notFound();
    return handler({ ...req, params: { id: service.id } });
  };
}

export function serviceRoutes(): RouteDef[] {
  return [
    ...crudRoutes('services'),
    { pattern: '/routes/:parent/service', methods: { GET: viaRoute(readHandler('services', null)), PATCH: viaRoute(patchHandler('services', null)) } },
  ];
}
