import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../core/config/validate.js';
import { compileProxyTables } from '../../../core/proxy/compile.js';
import { compileUpstreams, makeUpstream } from './make-upstream.js';

describe('compile: upstream balancing and health fields', () => {
  it('carries Kong defaults: round-robin, 10000 slots, hash none, health checks off', () => {
    const u = makeUpstream([{ target: '127.0.0.1:9001' }, { target: '127.0.0.1:9002', weight: 0 }]);
    expect(u.algorithm).toBe('round-robin');
    expect(u.slots).toBe(10_000);
    expect(u.hashing).toEqual({ on: 'none', onName: '', fallback: 'none', fallbackName: '', cookiePath: '/' });
    expect(u.healthchecks).toBeNull();
    expect(u.targets.map((t) => [t.target, t.slot, t.slotKey])).toEqual([
      ['127.0.0.1:9001', 0, 'svc.upstream|127.0.0.1:9001'],
      ['127.0.0.1:9002', 1, 'svc.upstream|127.0.0.1:9002'],
    ]);
    expect(u.schedule).toEqual([0]);
  });

  it('compiles hashing fields (header names lower-cased, cookie path)', () => {
    const u = makeUpstream([{ target: '127.0.0.1:9001' }], {
      algorithm: 'consistent-hashing',
      hash_on: 'header',
      hash_on_header: 'X-User',
      hash_fallback: 'cookie',
      hash_on_cookie: 'sticky',
      hash_on_cookie_path: '/app',
    });
    expect(u.hashing).toEqual({ on: 'header', onName: 'x-user', fallback: 'cookie', fallbackName: 'sticky', cookiePath: '/app' });
  });

  it('compiles active and passive checks (seconds -> ms) and turns off what Kong turns off', () => {
    const u = makeUpstream([{ target: '127.0.0.1:9001' }], {
      healthchecks: {
        threshold: 50,
        active: { http_path: '/status', timeout: 2, healthy: { interval: 5, successes: 2 }, unhealthy: { interval: 1, http_failures: 3 }, headers: { 'X-Probe': ['a', 'b'] } },
      },
    });
    expect(u.healthchecks?.threshold).toBe(50);
    expect(u.healthchecks?.passive).toBeNull();
    const a = u.healthchecks?.active;
    expect(a).toMatchObject({ type: 'http', httpPath: '/status', timeoutMs: 2000, healthyIntervalMs: 5000, healthySuccesses: 2, unhealthyIntervalMs: 1000, unhealthyHttpFailures: 3 });
    expect(a?.headers).toEqual(['x-probe', 'a', 'x-probe', 'b']);
    expect(a?.healthyStatuses).toEqual([200, 302]);

    const p = makeUpstream([{ target: '127.0.0.1:9001' }], { healthchecks: { passive: { unhealthy: { timeouts: 2 } } } });
    expect(p.healthchecks?.active).toBeNull();
    expect(p.healthchecks?.passive).toMatchObject({ unhealthyTimeouts: 2, unhealthyStatuses: [429, 500, 503] });
  });

  it('compiles unreferenced upstream entities after the used ones, and shares slots by address', () => {
    const ups = compileUpstreams([
      { name: 'a.up', targets: [{ target: '10.0.0.1:80' }] },
      { name: 'b.up', targets: [{ target: '10.0.0.2:80' }, { target: '10.0.0.1:80' }] },
    ]);
    expect(ups.map((u) => [u.name, u.referenced])).toEqual([
      ['a.up', true],
      ['b.up', true],
    ]);
    // Same address under two upstream names: two slots (health is per upstream, as Kong).
    expect(ups.flatMap((u) => u.targets.map((t) => t.slot))).toEqual([0, 1, 2]);

    const result = validateConfig({
      _format_version: '3.0',
      services: [{ name: 's', host: 'used.up', port: 80 }, { name: 'd', host: '127.0.0.1', port: 9 }],
      upstreams: [{ name: 'idle.up', targets: [{ target: '10.0.0.9:80' }] }, { name: 'used.up', targets: [{ target: '10.0.0.1:80' }] }],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const tables = compileProxyTables(result.config);
    expect(tables.upstreams.map((u) => [u.name, u.id === null, u.referenced])).toEqual([
      ['used.up', false, true],
      ['127.0.0.1:9', true, true],
      ['idle.up', false, false],
    ]);
    expect(tables.services.map((s) => s.upstream)).toEqual([0, 1]);
    // The implicit target has no shared state.
    expect(tables.upstreams[1]?.targets[0]?.slot).toBe(-1);
  });
});
