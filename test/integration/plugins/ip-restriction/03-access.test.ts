/**
 * ip-restriction through a gateway with 2 workers (every client here is 127.0.0.1):
 * Kong's default refusal naming the address, X-Forwarded-For never believed, a custom
 * status and message, and a consumer-scoped config picked after key-auth ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';

describe('ip-restriction: deny 127.0.0.1', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig([{ name: 'ip-restriction', config: { deny: ['127.0.0.1', '2001:db8::/32'] } }]);
  });
  afterAll(() => rig?.close());

  it('answers 403 with Kong 3.x\'s message naming the client; the upstream sees nothing', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await fetch(rig.url('/x'), { headers: { 'x-forwarded-for': '10.1.1.1', 'x-real-ip': '10.1.1.1' } });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toEqual({ message: 'IP address not allowed: 127.0.0.1' });
    }
    expect(rig.upstream.received.length).toBe(0);
  });
});

describe('ip-restriction: allow ranges, a custom refusal, a consumer-scoped config', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig(
      [
        { name: 'key-auth' },
        { name: 'ip-restriction', config: { allow: ['10.0.0.0/8', '127.0.0.0/8', '::1'], deny: ['127.0.0.2'] } },
        { name: 'ip-restriction', consumer: 'alice', config: { allow: ['10.0.0.0/8'], status: 451, message: 'Go away' } },
      ],
      {
        extra: {
          consumers: [
            { username: 'alice', keyauth_credentials: [{ key: 'k-alice' }] },
            { username: 'bob', keyauth_credentials: [{ key: 'k-bob' }] },
          ],
        },
      },
    );
  });
  afterAll(() => rig?.close());

  it('lets an allowed client through to the upstream', async () => {
    const res = await fetch(rig.url('/ok?a=1'), { headers: { apikey: 'k-bob' } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const got = rig.upstream.received.at(-1);
    expect(got?.url).toBe('/ok?a=1');
    expect(got?.headers['x-consumer-username']).toBe('bob');
  });

  it('applies alice\'s own config: her status and message', async () => {
    const before = rig.upstream.received.length;
    const res = await fetch(rig.url('/ok'), { headers: { apikey: 'k-alice', 'x-forwarded-for': '10.0.0.1' } });
    expect(res.status).toBe(451);
    expect(await res.json()).toEqual({ message: 'Go away' });
    expect(rig.upstream.received.length).toBe(before);
  });

  it('key-auth (priority 1250) still answers first for a request without a key', async () => {
    const res = await fetch(rig.url('/ok'));
    expect(res.status).toBe(401);
    await res.arrayBuffer();
  });
});

describe('ip-restriction: an IPv6 listener', () => {
  let rig: PluginRig;
  let url: string;
  beforeAll(async () => {
    rig = await startPluginRig([{ name: 'ip-restriction', config: { allow: ['::1'], deny: ['127.0.0.0/8', '::ffff:0:0/96'] } }], { args: ['--proxy-listen', '[::1]:0'] });
    url = `http://[::1]:${rig.gateway.port}`;
  });
  afterAll(() => rig?.close());

  it('matches the IPv6 client against IPv6 ranges', async () => {
    const res = await fetch(`${url}/six`);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(rig.upstream.received.at(-1)?.url).toBe('/six');
  });
});
