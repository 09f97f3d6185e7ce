import { describe, expect, it } from 'vitest';
import { createBalancer } from '../../../core/proxy/balancer/create.js';
import { buildRing, ConsistentHashing } from '../../../core/proxy/balancer/consistent-hashing.js';
import { BalanceInput } from '../../../core/proxy/balancer/types.js';
import { UsableTargets } from '../../../core/proxy/balancer/usable.js';
import { Latency } from '../../../core/proxy/balancer/latency.js';
import { HealthReason, UpstreamState } from '../../../core/shared/upstream-state.js';
import { makeUpstream, tally } from './make-upstream.js';

const PASSIVE = { healthchecks: { passive: { unhealthy: { http_failures: 1 } } } };
const input = new BalanceInput();

function three(algorithm: string, weights: number[] = [100, 100, 100], extra: Record<string, unknown> = PASSIVE) {
  const upstream = makeUpstream(
    weights.map((weight, i) => ({ target: `127.0.0.1:${9001 + i}`, weight })),
    { algorithm, ...extra },
  );
  const state = UpstreamState.create(16);
  return { upstream, state, balancer: createBalancer(upstream, state) };
}

describe('every algorithm: exclusion, weight 0, unhealthy, all down', () => {
  for (const algorithm of ['round-robin', 'least-connections', 'consistent-hashing', 'latency']) {
    it(`${algorithm}`, () => {
      const { upstream, state, balancer } = three(algorithm, [100, 0, 100]);
      input.fill('10.1.1.1', [], '/a', '', null);
      const seen = new Set(tally(300, () => balancer.pick(input, -1), 3).flatMap((c, i) => (c > 0 ? [i] : [])));
      expect(seen.has(1)).toBe(false); // weight 0 never picked
      // Excluding the only other usable target leaves the excluded one as last resort.
      state.setHealthy(upstream.targets[2]!.slot, false, HealthReason.MANUAL);
      for (let i = 0; i < 20; i++) expect(balancer.pick(input, -1)).toBe(0);
      expect(balancer.pick(input, 0)).toBe(0);
      state.setHealthy(upstream.targets[2]!.slot, true, HealthReason.MANUAL);
      for (let i = 0; i < 20; i++) expect(balancer.pick(input, 0)).toBe(2);
      // All unhealthy: -1.
      state.setHealthy(upstream.targets[0]!.slot, false, HealthReason.MANUAL);
      state.setHealthy(upstream.targets[2]!.slot, false, HealthReason.MANUAL);
      expect(balancer.pick(input, -1)).toBe(-1);
      expect(balancer.pick(input, 0)).toBe(-1);
    });
  }

  it('ignores shared health when the upstream has health checks off', () => {
    const { upstream, state, balancer } = three('round-robin', [100, 100, 100], {});
    for (const t of upstream.targets) state.setHealthy(t.slot, false, HealthReason.MANUAL);
    expect(balancer.pick(input, -1)).toBeGreaterThanOrEqual(0);
  });

  it("applies Kong's threshold: under the healthy weight percentage nothing is picked", () => {
    const { upstream, state, balancer } = three('round-robin', [100, 100, 100], {
      healthchecks: { threshold: 50, passive: { unhealthy: { http_failures: 1 } } },
    });
    state.setHealthy(upstream.targets[0]!.slot, false, HealthReason.MANUAL);
    expect(balancer.pick(input, -1)).toBeGreaterThan(0); // 66% healthy
    state.setHealthy(upstream.targets[1]!.slot, false, HealthReason.MANUAL);
    expect(balancer.pick(input, -1)).toBe(-1); // 33% < 50%
    state.setHealthy(upstream.targets[1]!.slot, true, HealthReason.MANUAL);
    expect(balancer.pick(input, -1)).toBeGreaterThan(0);
  });
});

describe('round-robin', () => {
  it('respects weights exactly over a whole schedule', () => {
    const { balancer } = three('round-robin', [300, 100, 200]);
    expect(tally(600, () => balancer.pick(input, -1), 3)).toEqual([300, 100, 200]);
  });

  it('spreads the picks of an unhealthy target over the others, still weighted', () => {
    const { upstream, state, balancer } = three('round-robin', [100, 100, 200]);
    state.setHealthy(upstream.targets[0]!.slot, false, HealthReason.PASSIVE);
    const counts = tally(4000, () => balancer.pick(input, -1), 3);
    expect(counts[0]).toBe(0);
    expect((counts[2] ?? 0) / (counts[1] ?? 1)).toBeGreaterThan(1.5);
  });
});

describe('least-connections', () => {
  it('prefers the idle target, and counts in-flight across balancers sharing the state', () => {
    const { upstream, state, balancer } = three('least-connections', [100, 100]);
    const other = createBalancer(upstream, UpstreamState.attach(state.buffer)); // a second worker
    balancer.started(0);
    balancer.started(0);
    expect(other.pick(input, -1)).toBe(1);
    other.started(1);
    other.started(1);
    other.started(1);
    expect(balancer.pick(input, -1)).toBe(0);
    other.finished(1, true, 5);
    other.finished(1, true, 5);
    other.finished(1, true, 5);
    expect(balancer.pick(input, -1)).toBe(1);
    expect(state.inflight(upstream.targets[0]!.slot)).toBe(2);
    balancer.finished(0, true, 1);
    balancer.finished(0, true, 1);
    balancer.finished(0, true, 1); // an extra finish never goes below zero
    expect(state.inflight(upstream.targets[0]!.slot)).toBe(0);
  });

  it('weights the count: a target with 3x weight carries ~3x the open requests', () => {
    const { balancer } = three('least-connections', [300, 100]);
    const counts = [0, 0];
    for (let i = 0; i < 400; i++) {
      const t = balancer.pick(input, -1);
      balancer.started(t); // never finished: in-flight grows
      counts[t] = (counts[t] ?? 0) + 1;
    }
    expect(counts).toEqual([300, 100]);
  });

  it('shares load among idle targets instead of always picking the first', () => {
    const { balancer } = three('least-connections');
    const counts = tally(300, () => balancer.pick(input, -1), 3);
    for (const c of counts) expect(c).toBe(100);
  });
});

describe('consistent-hashing', () => {
  const keys = Array.from({ length: 3000 }, (_, i) => `user-${i}`);

  function byHeader(weights: number[], slots = 10_000) {
    return three('consistent-hashing', weights, { hash_on: 'header', hash_on_header: 'X-User', slots, ...PASSIVE });
  }

  it('maps the same key to the same target, in any worker', () => {
    const { upstream, state, balancer } = byHeader([100, 100, 100]);
    const other = createBalancer(upstream, UpstreamState.attach(state.buffer));
    for (const key of keys.slice(0, 200)) {
      input.fill('', ['x-user', key], '/', '', null);
      const first = balancer.pick(input, -1);
      expect(balancer.pick(input, -1)).toBe(first);
      expect(other.pick(input, -1)).toBe(first);
    }
  });

  it('respects weights in the share of keys', () => {
    const { balancer } = byHeader([100, 300]);
    const counts = [0, 0];
    for (const key of keys) {
      input.fill('', ['x-user', key], '/', '', null);
      const t = balancer.pick(input, -1);
      counts[t] = (counts[t] ?? 0) + 1;
    }
    const share = (counts[1] ?? 0) / keys.length;
    expect(share).toBeGreaterThan(0.68);
    expect(share).toBeLessThan(0.82);
  });

  it('moves only the removed target’s keys (~1/N) when a target is removed', () => {
    const four = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80'].map((target) => ({ target, weight: 100 }));
    const ringBefore = buildRing(four, 10_000);
    const ringAfter = buildRing(four.filter((t) => t.target !== '10.0.0.3:80'), 10_000);
    const nameBefore = (i: number) => four[i]!.target;
    const rest = four.filter((t) => t.target !== '10.0.0.3:80');
    let moved = 0;
    let owned = 0;
    for (let b = 0; b < 10_000; b++) {
      const before = nameBefore(ringBefore[b]!);
      const after = rest[ringAfter[b]!]!.target;
      if (before === '10.0.0.3:80') owned++;
      else if (before !== after) moved++;
    }
    expect(moved).toBe(0); // no bucket of a remaining target changes hands
    expect(owned / 10_000).toBeGreaterThan(0.2);
    expect(owned / 10_000).toBeLessThan(0.3);
  });

  it('sends an unhealthy target’s keys to one consistent next target, and back on recovery', () => {
    const { upstream, state, balancer } = byHeader([100, 100, 100]);
    const homes = keys.slice(0, 300).map((key) => {
      input.fill('', ['x-user', key], '/', '', null);
      return balancer.pick(input, -1);
    });
    state.setHealthy(upstream.targets[1]!.slot, false, HealthReason.ACTIVE);
    keys.slice(0, 300).forEach((key, i) => {
      input.fill('', ['x-user', key], '/', '', null);
      const t = balancer.pick(input, -1);
      expect(t).not.toBe(1);
      if (homes[i] !== 1) expect(t).toBe(homes[i]);
      expect(balancer.pick(input, -1)).toBe(t);
    });
    state.setHealthy(upstream.targets[1]!.slot, true, HealthReason.ACTIVE);
    keys.slice(0, 300).forEach((key, i) => {
      input.fill('', ['x-user', key], '/', '', null);
      expect(balancer.pick(input, -1)).toBe(homes[i]);
    });
  });

  it('hashes on each source, with fallback', () => {
    const cases: [Record<string, unknown>, (key: string) => void][] = [
      [{ hash_on: 'ip' }, (k) => input.fill(k, [], '/', '', null)],
      [{ hash_on: 'consumer' }, (k) => input.fill('', [], '/', '', k)],
      [{ hash_on: 'path' }, (k) => input.fill('', [], `/${k}`, '', null)],
      [{ hash_on: 'query_arg', hash_on_query_arg: 'u' }, (k) => input.fill('', [], '/', `a=1&u=${encodeURIComponent(k)}`, null)],
      [{ hash_on: 'cookie', hash_on_cookie: 'sid' }, (k) => input.fill('', ['cookie', `a=b; sid=${k}`], '/', '', null)],
      [{ hash_on: 'consumer', hash_fallback: 'header', hash_fallback_header: 'x-k' }, (k) => input.fill('', ['x-k', k], '/', '', null)],
    ];
    for (const [fields, set] of cases) {
      const { balancer } = three('consistent-hashing', [100, 100, 100], { ...fields, ...PASSIVE });
      const seen = new Set<number>();
      for (const key of keys.slice(0, 100)) {
        set(key);
        const t = balancer.pick(input, -1);
        seen.add(t);
        set(key);
        expect(balancer.pick(input, -1), JSON.stringify(fields)).toBe(t);
        expect(input.setCookie).toBeNull();
      }
      expect(seen.size, JSON.stringify(fields)).toBe(3); // keys spread over every target
    }
  });

  it('hashes on a uri capture (named or numbered)', () => {
    const { balancer } = three('consistent-hashing', [100, 100, 100], { hash_on: 'uri_capture', hash_on_uri_capture: 'id', ...PASSIVE });
    expect(balancer.needsCaptures).toBe(true);
    const re = /^\/users\/(?<id>[^/]+)/;
    const homes = new Map<string, number>();
    for (const key of keys.slice(0, 50)) {
      input.fill('', [], `/users/${key}/x`, '', null);
      input.captures = re.exec(input.path);
      homes.set(key, balancer.pick(input, -1));
      input.fill('', [], `/users/${key}/y`, '', null);
      input.captures = re.exec(input.path);
      expect(balancer.pick(input, -1)).toBe(homes.get(key));
    }
  });

  it('mints the hash cookie when absent (Set-Cookie for the pipeline), then sticks to it', () => {
    const { balancer } = three('consistent-hashing', [100, 100, 100], { hash_on: 'cookie', hash_on_cookie: 'sticky', hash_on_cookie_path: '/shop', ...PASSIVE });
    input.fill('10.0.0.1', [], '/', '', null);
    const t = balancer.pick(input, -1);
    expect(input.setCookie).toMatch(/^sticky=[0-9a-f-]{36}; Path=\/shop$/);
    const cookie = (input.setCookie as string).split(';')[0] as string;
    for (let i = 0; i < 10; i++) {
      input.fill('10.0.0.1', ['cookie', cookie], '/', '', null);
      expect(balancer.pick(input, -1)).toBe(t);
      expect(input.setCookie).toBeNull();
    }
  });

  it('falls back to weighted round robin when there is no key', () => {
    const { balancer } = three('consistent-hashing', [100, 300], { hash_on: 'header', hash_on_header: 'x-none', ...PASSIVE });
    input.fill('', [], '/', '', null);
    expect(tally(400, () => balancer.pick(input, -1), 2)).toEqual([100, 300]);
  });

  it('pickHash is the ring lookup', () => {
    const { upstream, state } = byHeader([100, 100], 100);
    const ch = new ConsistentHashing(upstream, new UsableTargets(upstream, state));
    const ring = buildRing(upstream.targets, 100);
    for (let h = 0; h < 100; h++) expect(ch.pickHash(h, -1)).toBe(ring[h]);
  });
});

describe('latency', () => {
  it('shifts traffic away from a slow target, and tries it again once it is idle long enough', () => {
    let now = 1_000_000;
    const upstream = makeUpstream([{ target: '127.0.0.1:9001' }, { target: '127.0.0.1:9002' }, { target: '127.0.0.1:9003' }], { algorithm: 'latency' });
    const state = UpstreamState.create(8, () => now);
    const balancer = new Latency(new UsableTargets(upstream, state));
    const latencyOf = [5, 80, 6];
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      const t = balancer.pick(input, -1);
      balancer.started(t);
      balancer.finished(t, true, latencyOf[t] as number);
      counts[t] = (counts[t] ?? 0) + 1;
      now += 1;
    }
    expect((counts[1] ?? 0) / 3000).toBeLessThan(0.1);
    expect((counts[0] ?? 0) + (counts[2] ?? 0)).toBeGreaterThan(2700);
    // Target 1 recovers: its first explored samples are fast, and it wins traffic back.
    latencyOf[1] = 1;
    now += 60_000;
    const later = [0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      const t = balancer.pick(input, -1);
      balancer.started(t);
      balancer.finished(t, true, latencyOf[t] as number);
      later[t] = (later[t] ?? 0) + 1;
      now += 1;
    }
    expect((later[1] ?? 0) / 3000).toBeGreaterThan(0.5);
  });

  it('a target with no samples yet is preferred (a new or recovered target gets traffic)', () => {
    const upstream = makeUpstream([{ target: '127.0.0.1:9001' }, { target: '127.0.0.1:9002' }], { algorithm: 'latency', ...PASSIVE });
    const state = UpstreamState.create(8);
    const balancer = createBalancer(upstream, state);
    state.recordLatency(upstream.targets[0]!.slot, 3);
    state.recordLatency(upstream.targets[1]!.slot, 300);
    state.setHealthy(upstream.targets[1]!.slot, false, HealthReason.PASSIVE);
    state.setHealthy(upstream.targets[1]!.slot, true, HealthReason.ACTIVE); // clears its EWMA
    expect(tally(100, () => balancer.pick(input, -1), 2)[1]).toBeGreaterThan(90);
  });
});
