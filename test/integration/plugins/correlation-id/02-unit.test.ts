/**
 * correlation-id's generators and handler without a gateway: the three id shapes Kong's
 * spec matches, a kept or replaced incoming id, the log value, and the echo.
 */
import { describe, expect, it } from 'vitest';
import { generatorOf } from '../../../../core/plugins/correlation-id/generators.js';
import { handler } from '../../../../core/plugins/correlation-id/handler.js';
import type { PluginEnv } from '../../../../core/plugins/contract.js';
import { FakeRequest } from '../../../helpers/fake-request.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const env = { workerIndex: 3, listen: { host: '127.0.0.1', port: 8000 } } as PluginEnv;

describe('generators', () => {
  it('uuid: a fresh v4 UUID each time', () => {
    const g = generatorOf('uuid', env);
    const a = g();
    expect(a).toMatch(UUID);
    expect(g()).not.toBe(a);
  });

  it('uuid#counter: one UUID per worker and a counter shared by every instance', () => {
    const one = generatorOf('uuid#counter', env);
    const two = generatorOf('uuid#counter', env);
    const ids = [one(), two(), one()];
    const parts = ids.map((id) => /^(.+)#(\d+)$/.exec(id));
    for (const p of parts) expect(p?.[1]).toMatch(UUID);
    expect(new Set(parts.map((p) => p?.[1])).size).toBe(1);
    const n = parts.map((p) => Number(p?.[2]));
    expect(n[1]).toBe((n[0] as number) + 1);
    expect(n[2]).toBe((n[0] as number) + 2);
  });

  it('tracker: Kong\'s shape, unique per request', () => {
    const g = generatorOf('tracker', env);
    const a = g();
    // Kong's spec: %d+.%d+.%d+.%d+-%d+-%d+-%d+-%d+-%d{10}.%d{3}
    expect(a).toMatch(/^\d+\.\d+\.\d+\.\d+-\d+-\d+-\d+-\d+-\d{10}\.\d{3}$/);
    expect(a.startsWith(`127.0.0.1-8000-${process.pid}-3-`)).toBe(true);
    expect(g()).not.toBe(a);
  });
});

describe('correlation-id handler', () => {
  const run = (echo: boolean, headers: string[]): FakeRequest => {
    const h = handler.create({ header: 'kong-request-id', generator: 'uuid', echo }, env, undefined);
    const req = new FakeRequest({ headers });
    h.access?.(req.req, 0);
    h.response?.(req.req, 0);
    return req;
  };

  it('keeps an incoming id; logs it; echoes it when asked', () => {
    const req = run(true, ['kong-request-id', 'foobar']);
    expect(req.header('kong-request-id')).toBe('foobar');
    expect(req.logValues).toEqual({ correlation_id: 'foobar' });
    expect(req.response.get('kong-request-id')).toBe('foobar');
  });

  it('replaces an empty or blank id with a generated one', () => {
    for (const blank of ['', ' ', '\t ']) {
      const req = run(false, ['kong-request-id', blank]);
      expect(req.header('kong-request-id')).toMatch(UUID);
      expect(req.headers.filter((h) => h === 'kong-request-id')).toHaveLength(1);
    }
  });

  it('without echo_downstream there is no response step at all', () => {
    expect(handler.create({ header: 'kong-request-id', generator: 'uuid', echo: false }, env, undefined).response).toBeUndefined();
  });

  it('echoes the request\'s own id when access never ran for it', () => {
    const h = handler.create({ header: 'x-id', generator: 'uuid', echo: true }, env, undefined);
    const req = new FakeRequest({ headers: ['x-id', 'my very personal id'] });
    h.response?.(req.req, 0);
    expect(req.response.get('x-id')).toBe('my very personal id');
    const none = new FakeRequest();
    h.response?.(none.req, 0);
    expect(none.response.has('x-id')).toBe(false);
  });
});
