/** request-termination through a gateway with 2 workers: nothing reaches the upstream. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';

describe('request-termination', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig([{ name: 'request-termination', config: { status_code: 403, message: 'So long' } }]);
  });
  afterAll(() => rig?.close());

  it('answers with the configured status and message; the upstream sees nothing', async () => {
    const res = await fetch(rig.url('/anything'), { method: 'POST', body: 'ignored' });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ message: 'So long' });
    expect(rig.upstream.received.length).toBe(0);
  });
});

describe('request-termination: raw body with a trigger, echo with a trigger', () => {
  let raw: PluginRig;
  let echo: PluginRig;
  beforeAll(async () => {
    raw = await startPluginRig([{ name: 'request-termination', config: { status_code: 418, body: '<p>teapot</p>', content_type: 'text/html', trigger: 'x-teapot' } }]);
    echo = await startPluginRig([{ name: 'request-termination', config: { status_code: 200, echo: true, trigger: 'x-echo' } }]);
  });
  afterAll(async () => {
    await raw?.close();
    await echo?.close();
  });

  it('sends the raw body with its content type, only to requests carrying the trigger (header or query)', async () => {
    const passed = await fetch(raw.url('/'));
    expect(passed.status).toBe(200);
    await passed.arrayBuffer();
    expect(raw.upstream.received.length).toBe(1);
    const byQuery = await fetch(raw.url('/?x-teapot=1'));
    expect(byQuery.status).toBe(418);
    await byQuery.arrayBuffer();
    const res = await fetch(raw.url('/'), { headers: { 'x-teapot': 'yes' } });
    expect(res.status).toBe(418);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toBe('<p>teapot</p>');
  });

  it('echo: only requests with the trigger are terminated, with the request described', async () => {
    const passed = await fetch(echo.url('/p?a=1'));
    expect(passed.status).toBe(200);
    expect(((await passed.json()) as { url: string }).url).toBe('/p?a=1');
    expect(echo.upstream.received.length).toBe(1);
    const res = await fetch(echo.url('/p?a=1'), { method: 'POST', headers: { 'x-echo': '1', 'content-type': 'application/json' }, body: '{"k":"v"}' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { request: { method: string; path: string; query: Record<string, string>; body: unknown; raw_body: string; headers: Record<string, string> }; matched_route: { name: string } };
    expect(body.request).toMatchObject({ method: 'POST', path: '/p', query: { a: '1' }, body: { k: 'v' }, raw_body: '{"k":"v"}' });
    expect(body.request.headers['x-echo']).toBe('1');
    expect(body.matched_route.name).toBe('r');
    expect(echo.upstream.received.length).toBe(1);
  });
});
