import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthChecker } from '../../../core/proxy/health/active.js';
import { UpstreamState } from '../../../core/shared/upstream-state.js';
import { compileUpstreams } from './make-upstream.js';

interface Probed {
  server: Server;
  port: number;
  status: number;
  hits: { path: string; headers: Record<string, unknown> }[];
  hang: boolean;
}

const servers: Server[] = [];
const checkers: HealthChecker[] = [];

async function target(): Promise<Probed> {
  const probed = { status: 200, hits: [], hang: false } as unknown as Probed;
  probed.server = createServer((req, res) => {
    probed.hits.push({ path: req.url ?? '', headers: req.headers });
    if (probed.hang) return; // never answers: a timeout
    res.statusCode = probed.status;
    res.end('ok');
  });
  servers.push(probed.server);
  await new Promise<void>((resolve) => probed.server.listen(0, '127.0.0.1', resolve));
  probed.port = (probed.server.address() as AddressInfo).port;
  return probed;
}

/** A port with nothing listening: bind, read it, close. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function checker(state: UpstreamState): HealthChecker {
  const c = new HealthChecker(state);
  checkers.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(checkers.splice(0).map((c) => c.stop()));
  for (const s of servers.splice(0)) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const ACTIVE = {
  http_path: '/status',
  timeout: 0.3,
  headers: { 'x-probe': ['yes'] },
  healthy: { interval: 3600, successes: 2 },
  unhealthy: { interval: 3600, http_failures: 2, tcp_failures: 1, timeouts: 1 },
};

describe('active health checks against loopback servers', () => {
  it('flips healthy -> unhealthy -> healthy at the thresholds, and reports Kong’s shape', async () => {
    const a = await target();
    const b = await target();
    const [upstream] = compileUpstreams([
      { name: 'api.up', targets: [{ target: `127.0.0.1:${a.port}` }, { target: `127.0.0.1:${b.port}`, weight: 50 }], healthchecks: { active: ACTIVE } },
    ]);
    const state = UpstreamState.create(8);
    const hc = checker(state);
    hc.start([upstream!]);
    const slotA = upstream!.targets[0]!.slot;

    a.status = 500;
    await hc.probeNow('api.up');
    expect(state.isHealthy(slotA)).toBe(true); // 1 of 2 failures
    await hc.probeNow('API.UP'); // names compare case-insensitively
    expect(state.isHealthy(slotA)).toBe(false);
    expect(state.isHealthy(upstream!.targets[1]!.slot)).toBe(true);
    expect(a.hits[0]).toMatchObject({ path: '/status', headers: { 'x-probe': 'yes', host: `127.0.0.1:${a.port}` } });

    const report = hc.health(upstream!.id as string);
    expect(report).toEqual({
      total: 2,
      next: null,
      data: [
        {
          id: upstream!.targets[0]!.id,
          target: `127.0.0.1:${a.port}`,
          weight: 100,
          upstream: { id: upstream!.id },
          health: 'UNHEALTHY',
          data: { addresses: [{ ip: '127.0.0.1', port: a.port, health: 'UNHEALTHY', weight: 100 }] },
        },
        {
          id: upstream!.targets[1]!.id,
          target: `127.0.0.1:${b.port}`,
          weight: 50,
          upstream: { id: upstream!.id },
          health: 'HEALTHY',
          data: { addresses: [{ ip: '127.0.0.1', port: b.port, health: 'HEALTHY', weight: 50 }] },
        },
      ],
    });
    expect(hc.balancerHealth('api.up')?.data.details.weight).toEqual({ total: 150, available: 50, unavailable: 100 });

    a.status = 200;
    await hc.probeNow('api.up');
    expect(state.isHealthy(slotA)).toBe(false); // 1 of 2 successes
    await hc.probeNow('api.up');
    expect(state.isHealthy(slotA)).toBe(true);
  });

  it('counts refused connections and timeouts', async () => {
    const hanging = await target();
    hanging.hang = true;
    const port = await closedPort();
    const [upstream] = compileUpstreams([
      { name: 'bad.up', targets: [{ target: `127.0.0.1:${port}` }, { target: `127.0.0.1:${hanging.port}` }], healthchecks: { active: ACTIVE } },
    ]);
    const state = UpstreamState.create(8);
    const hc = checker(state);
    hc.start([upstream!]);
    await hc.probeNow('bad.up');
    expect(state.isHealthy(upstream!.targets[0]!.slot)).toBe(false);
    expect(state.isHealthy(upstream!.targets[1]!.slot)).toBe(false);
    expect(hanging.hits.length).toBe(1);
  });

  it('tcp checks only connect', async () => {
    const up = await target();
    const port = await closedPort();
    const [upstream] = compileUpstreams([
      { name: 'tcp.up', targets: [{ target: `127.0.0.1:${up.port}` }, { target: `127.0.0.1:${port}` }], healthchecks: { active: { ...ACTIVE, type: 'tcp' } } },
    ]);
    const state = UpstreamState.create(8);
    const hc = checker(state);
    hc.start([upstream!]);
    await hc.probeNow('tcp.up');
    expect(state.isHealthy(upstream!.targets[0]!.slot)).toBe(true);
    expect(state.isHealthy(upstream!.targets[1]!.slot)).toBe(false);
    expect(up.hits.length).toBe(0);
  });

  it('probes on its own timers, and update() follows a reload', async () => {
    const a = await target();
    a.status = 503;
    const fast = { ...ACTIVE, healthy: { interval: 0.02, successes: 1 }, unhealthy: { interval: 0.02, http_failures: 1 } };
    const [v1] = compileUpstreams([{ name: 'timed.up', targets: [{ target: `127.0.0.1:${a.port}` }], healthchecks: { active: fast } }]);
    const state = UpstreamState.create(8);
    const hc = checker(state);
    hc.start([v1!]);
    const slot = v1!.targets[0]!.slot;
    await until(() => !state.isHealthy(slot));
    a.status = 200;
    await until(() => state.isHealthy(slot));

    // Reload without active checks: probing stops, the report says HEALTHCHECKS_OFF.
    const [v2] = compileUpstreams([{ name: 'timed.up', targets: [{ target: `127.0.0.1:${a.port}` }] }]);
    hc.update([v2!]);
    await new Promise((r) => setTimeout(r, 50));
    const hits = a.hits.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(a.hits.length).toBe(hits);
    expect(hc.health('timed.up')?.data[0]?.health).toBe('HEALTHCHECKS_OFF');
  });

  it('manual reset (admin POST .../healthy) by target id or address', async () => {
    const [upstream] = compileUpstreams([{ name: 'm.up', targets: [{ target: '127.0.0.1:1' }], healthchecks: { passive: { unhealthy: { timeouts: 1 } } } }]);
    const state = UpstreamState.create(4);
    const hc = checker(state);
    hc.start([upstream!]);
    expect(hc.setTargetHealth('m.up', '127.0.0.1:1', false)).toBe(true);
    expect(hc.health('m.up')?.data[0]?.health).toBe('UNHEALTHY');
    expect(hc.setTargetHealth('m.up', upstream!.targets[0]!.id as string, true)).toBe(true);
    expect(hc.health('m.up')?.data[0]?.health).toBe('HEALTHY');
    expect(hc.setTargetHealth('m.up', '127.0.0.1:2', true)).toBe(false);
    expect(hc.health('nope')).toBeNull();
  });
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}
