/**
 * `GET /` (node information, Kong's shape where it applies) and `GET /status` (workers,
 * the running config's version and hash, restarts and reloads, memory).
 */
import { hostname } from 'node:os';
import type { RouteDef } from '../dispatch.js';
import { availablePlugins, DEFINITIONS } from '../../plugins/definitions.js';
import { GATEHOUSE_VERSION } from '../../lib/version.js';

export { GATEHOUSE_VERSION };

export function statusRoutes(): RouteDef[] {
  return [
    {
      pattern: '/',
      methods: {
        GET: (req) => {
          const sup = req.state.supervisor;
          const enabled = [...new Set((sup.config?.plugins ?? []).map((p) => p.name))].sort();
          return {
            status: 200,
            body: {
              tagline: 'Welcome to gatehouse',
              version: GATEHOUSE_VERSION,
              hostname: hostname(),
              node_version: process.version,
              pids: { master: process.pid },
              configuration: { proxy_port: sup.port, workers: sup.workerStates().length, database: 'off' },
              plugins: { available_on_server: Object.fromEntries(availablePlugins().map((n) => [n, { version: DEFINITIONS.get(n)?.version, priority: DEFINITIONS.get(n)?.priority }])), enabled_in_cluster: enabled },
            },
          };
        },
      },
    },
    {
      pattern: '/status',
      methods: {
        GET: (req) => {
          const sup = req.state.supervisor;
          return {
            status: 200,
            body: {
              configuration_hash: sup.configHash,
              config_version: sup.version,
              database: { reachable: true },
              workers: sup.workerStates(),
              worker_restarts: sup.restarts,
              config_reloads: sup.reloads,
              uptime_seconds: Math.round((Date.now() - sup.startedAt) / 1000),
              memory: { rss: process.memoryUsage.rss() },
            },
          };
        },
      },
    },
  ];
}
