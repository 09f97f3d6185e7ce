import { describe, expect, it } from 'vitest';
import { createPassiveHealth, errorOutcome } from '../../../core/proxy/health/passive.js';
import { Outcome, UpstreamState } from '../../../core/shared/upstream-state.js';
import { makeUpstream } from './make-upstream.js';

function setup(passive: Record<string, unknown>) {
  const upstream = makeUpstream([{ target: '127.0.0.1:9001' }, { target: '127.0.0.1:9002' }], { healthchecks: { passive } });
  const state = UpstreamState.create(8);
  const health = createPassiveHealth(upstream, state);
  if (health === null) throw new Error('passive checks expected');
  return { upstream, state, health, slot: upstream.targets[0]!.slot };
}

function connErr(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('passive health checks', () => {
  it('is null (no cost) when every unhealthy threshold is 0, as Kong', () => {
    const upstream = makeUpstream([{ target: '127.0.0.1:9001' }]);
    expect(createPassiveHealth(upstream, UpstreamState.create(4))).toBeNull();
  });

  it('flips unhealthy at exactly unhealthy.http_failures statuses from the list', () => {
    const { state, health, slot } = setup({ unhealthy: { http_failures: 3 } });
    health.status(0, 500);
    health.status(0, 503);
    health.status(0, 404); // in neither list: not counted
    expect(state.isHealthy(slot)).toBe(true);
    expect(state.snapshot(slot).passive.httpFailures).toBe(2);
    health.status(0, 429);
    expect(state.isHealthy(slot)).toBe(false);
    expect(state.snapshot(slot).passive.httpFailures).toBe(0); // cleared on the flip
    expect(state.isHealthy(1)).toBe(true); // the other target is untouched
  });

  it('counts tcp failures and timeouts separately, and ignores client aborts', () => {
    const { state, health, slot } = setup({ unhealthy: { tcp_failures: 2, timeouts: 2 } });
    health.error(0, connErr('ECONNREFUSED'));
    health.error(0, connErr('UND_ERR_HEADERS_TIMEOUT'));
    health.error(0, new Error('client closed the connection'));
    health.error(0, connErr('UND_ERR_ABORTED'));
    expect(state.snapshot(slot).passive).toMatchObject({ tcpFailures: 1, timeouts: 1 });
    expect(state.isHealthy(slot)).toBe(true);
    health.error(0, connErr('UND_ERR_CONNECT_TIMEOUT'));
    expect(state.isHealthy(slot)).toBe(false);
  });

  it('a success breaks a run of failures only when healthy.successes counts (Kong)', () => {
    const counted = setup({ healthy: { successes: 1 }, unhealthy: { http_failures: 2 } });
    counted.health.status(0, 500);
    counted.health.status(0, 200);
    counted.health.status(0, 500);
    expect(counted.state.isHealthy(counted.slot)).toBe(true);

    // healthy.successes 0 (the default): successes are not counted, failures add up.
    const uncounted = setup({ unhealthy: { http_failures: 2 } });
    uncounted.health.status(0, 500);
    uncounted.health.status(0, 200);
    uncounted.health.status(0, 500);
    expect(uncounted.state.isHealthy(uncounted.slot)).toBe(false);
  });

  it('comes back after healthy.successes successes when traffic still reaches it', () => {
    const { state, health, slot } = setup({ healthy: { successes: 2 }, unhealthy: { http_failures: 1 } });
    health.status(0, 500);
    expect(state.isHealthy(slot)).toBe(false);
    health.status(0, 200);
    expect(state.isHealthy(slot)).toBe(false);
    health.status(0, 500); // a failure resets the success run
    health.status(0, 200);
    expect(state.isHealthy(slot)).toBe(false);
    health.status(0, 204);
    expect(state.isHealthy(slot)).toBe(true);
  });

  it('classifies upstream errors', () => {
    expect(errorOutcome(connErr('ECONNRESET'))).toBe(Outcome.TCP_FAILURE);
    expect(errorOutcome({ cause: { code: 'ECONNREFUSED' } })).toBe(Outcome.TCP_FAILURE);
    expect(errorOutcome(connErr('UND_ERR_BODY_TIMEOUT'))).toBe(Outcome.TIMEOUT);
    expect(errorOutcome(new Error('x'))).toBe(-1);
  });
});
