/**
 * correlation-id through a gateway with 2 workers: the id the upstream receives, the echo
 * (also on a gateway error and on another plugin's answer), an incoming id kept, a blank
 * one replaced, the access log's correlation_id, and uuid#counter counting per worker.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { echoJson } from '../../../helpers/upstream.js';
import { waitFor } from '../../../helpers/wait.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Echo, except `/die`: the connection is dropped (the gateway answers 502). */
function upstreamHandler(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  if (req.url === '/die') {
    res.socket?.destroy();
    return;
  }
  echoJson(req, res, body);
}

describe('correlation-id: uuid, echo_downstream', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig(
      [
        { name: 'correlation-id', config: { generator: 'uuid', echo_downstream: true } },
        { name: 'request-termination', consumer: 'alice', config: { status_code: 418, message: "I'm a teapot" } },
        { name: 'key-auth', config: { anonymous: 'anon' } },
      ],
      {
        handler: upstreamHandler,
        accessLog: 'stdout',
        extra: { consumers: [{ username: 'anon' }, { username: 'alice', keyauth_credentials: [{ key: 'k-alice' }] }] },
      },
    );
  });
  afterAll(() => rig?.close());

  it('sends a fresh UUID upstream and echoes the same one to the client', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await fetch(rig.url(`/r${i}`));
      expect(res.status).toBe(200);
      const upstreamId = ((await res.json()) as { headers: Record<string, string> }).headers['kong-request-id'] as string;
      expect(upstreamId).toMatch(UUID);
      expect(res.headers.get('kong-request-id')).toBe(upstreamId);
      seen.add(upstreamId);
    }
    expect(seen.size).toBe(4);
  });

  it('keeps the client\'s id; replaces a blank one', async () => {
    const kept = await fetch(rig.url('/kept'), { headers: { 'kong-request-id': 'foobar' } });
    expect(kept.headers.get('kong-request-id')).toBe('foobar');
    expect(((await kept.json()) as { headers: Record<string, string> }).headers['kong-request-id']).toBe('foobar');
    const blank = await fetch(rig.url('/blank'), { headers: { 'kong-request-id': ' ' } });
    expect(blank.headers.get('kong-request-id')).toMatch(UUID);
    await blank.arrayBuffer();
  });

  it('echoes the id on a 502 from a failed upstream and on another plugin\'s answer', async () => {
    const failed = await fetch(rig.url('/die'));
    expect(failed.status).toBe(502);
    expect(failed.headers.get('kong-request-id')).toMatch(UUID);
    await failed.arrayBuffer();
    const teapot = await fetch(rig.url('/tea'), { headers: { apikey: 'k-alice', 'kong-request-id': 'my very personal id' } });
    expect(teapot.status).toBe(418);
    expect(teapot.headers.get('kong-request-id')).toBe('my very personal id');
    expect(await teapot.json()).toEqual({ message: "I'm a teapot" });
  });

  it('puts the id in the access log as correlation_id', async () => {
    const res = await fetch(rig.url('/logged'), { headers: { 'kong-request-id': 'log-me-1234' } });
    await res.arrayBuffer();
    const line = (): string | undefined => rig.gateway.stdout().split('\n').find((l) => l.includes('"path":"/logged"'));
    await waitFor(() => line() !== undefined, 10_000, 'the access log line of /logged');
    expect((JSON.parse(line() as string) as { correlation_id: string }).correlation_id).toBe('log-me-1234');
  });
});

describe('correlation-id: defaults (uuid#counter, no echo)', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig([{ name: 'correlation-id', config: { header_name: 'Foo-Bar-Id' } }]);
  });
  afterAll(() => rig?.close());

  it('counts per worker after one UUID per worker; nothing is echoed', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(rig.url('/c'), { headers: { connection: 'close' } });
      expect(res.headers.get('foo-bar-id')).toBeNull();
      ids.push(((await res.json()) as { headers: Record<string, string> }).headers['foo-bar-id'] as string);
    }
    const byWorker = new Map<string, number[]>();
    for (const id of ids) {
      const m = /^(.+)#(\d+)$/.exec(id);
      expect(m?.[1]).toMatch(UUID);
      const list = byWorker.get(m?.[1] as string) ?? [];
      list.push(Number(m?.[2]));
      byWorker.set(m?.[1] as string, list);
    }
    expect(byWorker.size).toBeLessThanOrEqual(2);
    for (const counts of byWorker.values()) expect(counts).toEqual(counts.map((_, i) => (counts[0] as number) + i));
  });
});
