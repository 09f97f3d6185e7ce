import { describe, expect, it } from 'vitest';
import { TargetSlots } from '../../../core/proxy/health/table.js';
import { HealthReason, UpstreamState } from '../../../core/shared/upstream-state.js';
import { compileUpstreams } from './make-upstream.js';

const up = (name: string, ...targets: string[]) => ({ name, targets: targets.map((target) => ({ target })) });

describe('TargetSlots: slots stable across reloads', () => {
  it('keeps the slot (and state) of unchanged targets, frees removed ones, reuses them last', () => {
    const state = UpstreamState.create(4);
    const slots = new TargetSlots(state);
    const v1 = compileUpstreams([up('a.up', '10.0.0.1:80', '10.0.0.2:80'), up('b.up', '10.0.0.3:80')]);
    slots.assign(v1);
    const slotOf = (ups: typeof v1, u: string, t: string) => ups.find((x) => x.name === u)!.targets.find((x) => x.target === t)!.slot;
    const s2 = slotOf(v1, 'a.up', '10.0.0.2:80');
    state.setHealthy(s2, false, HealthReason.PASSIVE);

    // Reload: a.up loses 10.0.0.1 and gains 10.0.0.9; upstreams reordered.
    const v2 = compileUpstreams([up('b.up', '10.0.0.3:80'), up('a.up', '10.0.0.2:80', '10.0.0.9:80')]);
    slots.assign(v2);
    expect(slotOf(v2, 'a.up', '10.0.0.2:80')).toBe(s2);
    expect(state.isHealthy(slotOf(v2, 'a.up', '10.0.0.2:80'))).toBe(false); // state kept
    expect(slotOf(v2, 'b.up', '10.0.0.3:80')).toBe(slotOf(v1, 'b.up', '10.0.0.3:80'));
    expect(slotOf(v2, 'a.up', '10.0.0.9:80')).toBe(3); // a never-used slot before the freed one
    expect(slots.size).toBe(3);

    // Table full: the freed slot of 10.0.0.1 is reused, reset.
    const freed = slotOf(v1, 'a.up', '10.0.0.1:80');
    state.setHealthy(freed, false, HealthReason.PASSIVE);
    const v3 = compileUpstreams([up('b.up', '10.0.0.3:80'), up('a.up', '10.0.0.2:80', '10.0.0.9:80', '10.0.0.7:80')]);
    slots.assign(v3);
    expect(slotOf(v3, 'a.up', '10.0.0.7:80')).toBe(freed);
    expect(state.isHealthy(freed)).toBe(true);
    expect(state.snapshot(freed).generation).toBe(1);
  });

  it('refuses a config with more targets than the table holds, changing nothing', () => {
    const state = UpstreamState.create(2);
    const slots = new TargetSlots(state);
    const ok = compileUpstreams([up('a.up', '10.0.0.1:80')]);
    slots.assign(ok);
    const big = compileUpstreams([up('a.up', '10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80')]);
    expect(() => slots.assign(big)).toThrow(/full/);
    expect(slots.size).toBe(1);
    expect(slots.slotOf('a.up|10.0.0.1:80')).toBe(0);
  });
});
