/** `/consumers` and `/consumers/{id|username}`; credentials nested in the config are kept across updates. */
import { crudRoutes } from '../crud.js';
import type { RouteDef } from '../dispatch.js';

export function consumerRoutes(): RouteDef[] {
  return crudRoutes('consumers');
}
