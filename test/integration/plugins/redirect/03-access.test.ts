/**
 * redirect through a gateway with 2 workers: Kong 3.9's spec cases — the default 301, a
 * custom status, the location as configured, keep_incoming_path — and nothing upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';

describe('redirect: the location as configured', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig([{ name: 'redirect', config: { location: 'https://example.com/path?foo=bar' } }]);
  });
  afterAll(() => rig?.close());

  it('answers 301 with the Location and "redirecting", for every method', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await fetch(rig.url('/status/200?x=1'), { method, redirect: 'manual' });
      expect(res.status).toBe(301);
      expect(res.headers.get('location')).toBe('https://example.com/path?foo=bar');
      expect(await res.text()).toBe('redirecting');
    }
    expect(rig.upstream.received.length).toBe(0);
  });
});

describe('redirect: keep_incoming_path, 302', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig([{ name: 'redirect', config: { location: 'https://example.com/some_path?foo=bar', keep_incoming_path: true, status_code: 302 } }]);
  });
  afterAll(() => rig?.close());

  it('keeps the request\'s path and query with the location\'s host', async () => {
    const res = await fetch(rig.url('/status/200?keep=this'), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/status/200?keep=this');
    expect(await res.text()).toBe('redirecting');
  });

  it('uses the normalised path and drops the location\'s query when the request has none', async () => {
    // `%7E` is an unreserved character: Kong's normalised path has it decoded.
    const res = await fetch(rig.url('/a/%7Ebob'), { redirect: 'manual' });
    expect(res.headers.get('location')).toBe('https://example.com/a/~bob');
    await res.arrayBuffer();
    expect(rig.upstream.received.length).toBe(0);
  });
});
