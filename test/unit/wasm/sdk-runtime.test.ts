/**
 * The SDK's own bookkeeping in the real host: its context table (a slot per id, an
 * overflow map for ids whose slot is taken) and its return arena for host-allocated data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, Verdict } from '../../../sdk/harness/index.js';
import { buildWasm } from '../../helpers/wasm-build.js';

let wasm: Uint8Array;

beforeAll(async () => {
  wasm = await buildWasm('test/fixtures/wasm/assembly/context-state.ts');
});

describe('SDK context table', () => {
  it('keeps each request its own context with 1,500 requests live at once (slots and overflow)', async () => {
    const h: Harness = createHarness(wasm, { name: 'state' });
    const start = (tag: string) => ({ tag, r: h.request({ method: 'GET', path: '/', headers: { 'x-tag': tag } }) });
    const first = Array.from({ length: 1500 }, (_, i) => start(`t${i}`));
    for (const { r } of first) expect(await r.requestHeaders(true)).toBe(Verdict.Continue);
    // Finish every third request early: their slots are free again for new ids.
    const early = first.filter((_, i) => i % 3 === 0);
    for (const { r } of early) r.finish();
    const late = Array.from({ length: 600 }, (_, i) => start(`late${i}`));
    for (const { r } of late) await r.requestHeaders(true);
    const live = [...first.filter((_, i) => i % 3 !== 0), ...late].reverse();
    for (const { r, tag } of live) {
      expect(await r.responseHeaders({ status: 200 }, true)).toBe(Verdict.Continue);
      expect(r.host.responseHeaders?.get('x-tag')).toBe(tag);
      r.finish();
    }
    expect(h.faults()).toBe(0);
    h.close();
  });
});

describe('SDK return arena', () => {
  it('reads values larger than the arena, and small ones after them, in one callback', async () => {
    const h = createHarness(wasm, { name: 'state' });
    const big = `${'b'.repeat(40_000)}-tail-ok`;
    const r = await h.run({ method: 'GET', path: '/', headers: { 'x-tag': 'small', 'x-big': big } });
    expect(r.request.headers['x-big-length']).toBe(String(big.length));
    expect(r.request.headers['x-big-tail']).toBe('-tail-ok');
    expect(r.request.headers['x-tag-again']).toBe('small');
    // Many requests: the arena is reused, never exhausted.
    for (let i = 0; i < 2000; i++) {
      const s = await h.run({ method: 'GET', path: '/', headers: { 'x-tag': `v${i}` } });
      expect(s.request.headers['x-tag-again']).toBe(`v${i}`);
    }
    expect(h.faults()).toBe(0);
    h.close();
  });

  it('hands out a copy of a body, not arena space the next hostcall overwrites', async () => {
    const h = createHarness(wasm, { name: 'state' });
    const body = 'the body bytes, intact';
    const r = await h.run({ method: 'POST', path: '/', headers: { 'x-tag': 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }, body });
    expect(r.request.headers['x-body']).toBe(body);
    h.close();
  });
});
