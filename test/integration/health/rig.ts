/**
 * The health tests' common setup: two tagged upstream targets behind one Kong upstream
 * (with the given healthchecks), a 2-worker gateway, an admin client and a client pool;
 * `traffic` fires requests and reports each answer and which worker served it.
 */
import { Pool } from 'undici';
import { expect } from 'vitest';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { adminClient, type AdminClient } from '../admin/admin-client.js';
import { fire, startTagged, type TaggedUpstream } from '../balancing/tagged-upstream.js';
import { workerOfRequestId } from '../reload/load-driver.js';

export interface HealthRig {
  readonly targets: readonly [TaggedUpstream, TaggedUpstream];
  readonly gw: Gateway;
  readonly admin: AdminClient;
  /** `total` GETs (16 at a time) under `prefix`: each answer and the worker that served it. */
  traffic(total: number, prefix: string): Promise<{ answers: { status: number; body: string }[]; workers: Set<number> }>;
  /** GET /upstreams/{upstream}/health as target -> health. */
  health(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startHealthRig(upstream: string, tags: readonly [string, string], healthchecks: Record<string, unknown>): Promise<HealthRig> {
  const targets = [await startTagged(tags[0]), await startTagged(tags[1])] as const;
  const gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      upstreams: [{ name: upstream, healthchecks, targets: targets.map((t) => ({ target: t.target })) }],
      services: [{ name: 'svc', host: upstream, port: 80, protocol: 'http', routes: [{ name: 'r', paths: ['/'] }] }],
    }),
    { workers: 2 },
  );
  const admin = adminClient(gw.adminUrl);
  const pool = new Pool(gw.url, { connections: 16 });
  return {
    targets,
    gw,
    admin,
    async traffic(total, prefix) {
      const out = await fire(
        async (i) => {
          const res = await pool.request({ path: `${prefix}/${i}`, method: 'GET' });
          const id = res.headers['x-gatehouse-request-id'];
          return { status: res.statusCode, body: await res.body.text(), id: typeof id === 'string' ? id : '' };
        },
        total,
        16,
      );
      return { answers: out.map((a) => ({ status: a.status, body: a.body })), workers: new Set(out.map((a) => workerOfRequestId(a.id))) };
    },
    async health() {
      const reply = await admin.get(`/upstreams/${upstream}/health`);
      expect(reply.status).toBe(200);
      return Object.fromEntries((reply.body.data as { target: string; health: string }[]).map((r) => [r.target, r.health]));
    },
    async close() {
      await pool.close();
      expect(await gw.stop()).toBe(0);
      for (const t of targets) await t.close();
    },
  };
}
