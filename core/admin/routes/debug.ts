/**
 * Debug endpoints, mounted only when GATEHOUSE_DEBUG_ENDPOINTS=1 (chaos tests); without
 * it these paths are plain 404s like any unknown path.
 *
 *   POST /debug/workers/{index}/crash -> 202: worker {index} dies of an uncaught exception
 *                                        and is restarted by the supervisor; 404 when there
 *                                        is no such live worker
 *   POST /debug/workers/{index}/stall?ms=N -> 202: worker {index} blocks its event loop for N
 *                                        ms (max 60000), as a stuck worker would
 *   POST /debug/access-log?on=true|false -> 202: every worker's configured access log off or
 *                                        on again (the bench measures its cost in one process)
 */
import type { RouteDef } from '../dispatch.js';
import { notFound } from '../errors.js';

export const DEBUG_ENDPOINTS_ENV = 'GATEHOUSE_DEBUG_ENDPOINTS';

export function debugEndpointsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[DEBUG_ENDPOINTS_ENV] === '1';
}

function workerIndex(text: string | undefined): number {
  if (text === undefined || !/^\d{1,4}$/.test(text)) throw notFound();
  return Number(text);
}

export function debugRoutes(): RouteDef[] {
  return [
    {
      pattern: '/debug/access-log',
      methods: {
        POST: (req) => {
          const on = req.query.get('on') !== 'false';
          const workers = req.state.supervisor.setAccessLog(on);
          return { status: 202, body: { message: `access log ${on ? 'on' : 'off'} in ${workers} workers`, on, workers } };
        },
      },
    },
    {
      pattern: '/debug/workers/:index/stall',
      methods: {
        POST: (req) => {
          const index = workerIndex(req.params['index']);
          const ms = Math.min(Number(req.query.get('ms') ?? '1000') || 0, 60_000);
          if (!req.state.supervisor.stallWorker(index, ms)) throw notFound();
          return { status: 202, body: { message: `worker ${index} told to stall for ${ms} ms`, worker: index } };
        },
      },
    },
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
