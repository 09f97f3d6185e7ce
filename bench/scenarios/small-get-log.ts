import type { Scenario } from './types.js';

/**
 * What the access log costs (issue 16): small-get's request through one gateway with two
 * routes, measured in the same interleaved rounds — `/none` with the access log off
 * (`gatehouse`, the baseline) and `/log` with it on (`gatehouse+log`), one JSON line per
 * request appended to a file in the run's temp dir. The log is a process setting, so the
 * runner switches it through the gateway's debug endpoint before each target's run
 * (warm-up included): the same process, heap and JIT state on both sides, the log the
 * only difference. The goal: on within 10% of off.
 */
export const scenario: Scenario = {
  name: 'small-get-log',
  description: 'GET /hello through one gatehouse with its access log on (to a file) and off, interleaved (access-log cost)',
  method: 'GET',
  path: '/hello',
  connections: 50,
  duration: 10,
  accessLogTo: 'file',
  variants: [{ name: 'log', filters: [], accessLog: true, maxCostPct: 10 }],
};
