/**
 * bot-detection through a gateway with 2 workers: Kong's spec cases (regular agents pass,
 * bundled bots and denied agents get 403 "Forbidden", allowed agents pass), no
 * User-Agent, two of them, and verdicts that hold on repeat (the per-worker cache).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { rawExchange } from '../../../helpers/raw-http.js';

const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 Safari/537.36';

describe('bot-detection', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig([{ name: 'bot-detection', config: { deny: ['HelloWorld'], allow: ['facebookexternalhit'] } }]);
  });
  afterAll(() => rig?.close());

  const get = async (ua: string): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(rig.url('/request'), { headers: { 'user-agent': ua } });
    const text = await res.text();
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') === true ? JSON.parse(text) : text };
  };

  it('lets regular agents through to the upstream', async () => {
    for (const ua of [CHROME, 'curl/7.43.0']) expect((await get(ua)).status).toBe(200);
    expect(rig.upstream.received.map((r) => r.headers['user-agent'])).toEqual([CHROME, 'curl/7.43.0']);
  });

  it('refuses bundled bots and denied agents with 403 "Forbidden", every time', async () => {
    const before = rig.upstream.received.length;
    for (let i = 0; i < 3; i++) {
      for (const ua of ['Googlebot/2.1 (+http://www.google.com/bot.html)', 'HelloWorld', 'Mozilla/5.0 (compatible; bingbot/2.0)']) {
        expect(await get(ua)).toEqual({ status: 403, body: { message: 'Forbidden' } });
      }
    }
    expect(rig.upstream.received.length).toBe(before);
  });

  it('lets an allowed agent through even though it is a bundled bot', async () => {
    expect((await get('facebookexternalhit/1.1')).status).toBe(200);
  });

  it('passes a request without User-Agent; refuses two User-Agent headers with 400', async () => {
    const none = await rawExchange(rig.gateway.port, 'GET /bare HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(none.status).toBe(200);
    const two = await rawExchange(rig.gateway.port, 'GET /two HTTP/1.1\r\nHost: x\r\nUser-Agent: a\r\nUser-Agent: b\r\n\r\n');
    expect(two.status).toBe(400);
    expect(two.rest.toString()).toBe('{"message":"Only one User-Agent header allowed"}');
    expect(rig.upstream.received.some((r) => r.url === '/two')).toBe(false);
  });
});
