/**
 * Debug endpoints, mounted only when GATEHOUSE_DEBUG_ENDPOINTS=1 (chaos tests); without
 * it these paths are plain 404s like any unknown path.
 *
 *   POST /debug/workers/{index}/crash -> 202: worker {index} dies of an uncaught exception
 *                                        and is restarted by the supervisor; 404 when there
 *                                        is no such live worker
 */
import type { RouteDef } from '../dispatch.js';
import { notFound } from '../errors.js';

export const DEBUG_ENDPOINTS_ENV = 'GATEHOUSE_DEBUG_ENDPOINTS';

export function debugEndpointsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[DEBUG_ENDPOINTS_ENV] === '1';
}

export function debugRoutes(): RouteDef[] {
  return [
    {
      pattern: '/debug/workers/:index/crash',
      methods: {
        POST: (req) => {
          const text = req.params['index'] ?? '';
          if (!/^\d{1,4}$/.test(text)) throw notFound();
          const index = Number(text);
          if (!req.state.supervisor.crashWorker(index)) throw notFound();
          return { status: 202, body: { message: `worker ${index} told to crash`, worker: index } };
        },
      },
    },
  ];
}
