/**
 * Zero-loss hot reload under load (issue 4, "Done when"): 64 keep-alive connections keep
 * a closed-loop load on `/v` through 2 workers while the config is replaced 20 times,
 * alternately by POST /config and by rewriting the file + SIGHUP. Each version k:
 *   - routes `/v` to service path `/anything/v<k>` on the echo upstream, so every response
 *     names the version that served it;
 *   - moves the upstream's one target between two echo processes (odd k: A, even k: B),
 *     so the echoed Host names the target that version points at;
 *   - adds route `/extra-<k>` and drops `/extra-<k-1>`.
 * Checks: not one request fails; every response comes from a version in force while the
 * request was open: not older than the newest version every worker had applied before the
 * request started (POST /config answers after the workers confirm; for SIGHUP we poll
 * /status), and not newer than the newest version whose publication began before the
 * response arrived. Every version serves traffic; the load averages at least 2,000 req/s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoProcess, type EchoProcess } from '../../helpers/echo-process.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { waitFor } from '../../helpers/wait.js';
import { adminClient, type AdminClient } from '../admin/admin-client.js';
import { startLoad, type Sample } from './load-driver.js';

const RELOADS = 20;
const CONNECTIONS = 64;
const GAP_MS = 120;

let echoA: EchoProcess;
let echoB: EchoProcess;
let gw: Gateway;
let admin: AdminClient;

function echoFor(k: number): EchoProcess {
  return k % 2 === 1 ? echoA : echoB;
}

function config(k: number): string {
  return JSON.stringify({
    _format_version: '3.0',
    upstreams: [{ name: 'moving', targets: [{ target: `127.0.0.1:${echoFor(k).port}` }] }],
    services: [
      {
        name: 'versioned',
        host: 'moving',
        port: 80,
        protocol: 'http',
        path: `/anything/v${k}`,
        routes: [
          { name: 'v', paths: ['/v'] },
          { name: `extra-${k}`, paths: [`/extra-${k}`] },
        ],
      },
    ],
  });
}

beforeAll(async () => {
  echoA = await startEchoProcess();
  echoB = await startEchoProcess();
  gw = await startGateway(config(1), { workers: 2 });
  admin = adminClient(gw.adminUrl);
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await echoA?.close();
  await echoB?.close();
});

/** The version that served a sample, checked against its upstream; -1 when unreadable. */
function versionOf(sample: Sample): number {
  const body = JSON.parse(sample.body) as { path: string; headers: Record<string, string> };
  const m = /^\/anything\/v(\d+)$/.exec(body.path);
  if (m === null) return -1;
  const k = Number(m[1]);
  return body.headers['host'] === `127.0.0.1:${echoFor(k).port}` ? k : -1;
}

async function statusOf(path: string): Promise<number> {
  const res = await fetch(`${gw.url}${path}`);
  await res.arrayBuffer();
  return res.status;
}

describe('hot reload under load', () => {
  it(`replaces the config ${RELOADS} times under ${CONNECTIONS} connections with zero failed requests`, async () => {
    // sent[k]: publication of version k began; applied[k]: every worker runs k (or newer).
    const sent: number[] = [0, 0];
    const applied: number[] = [0, 0];
    const load = startLoad({ origin: gw.url, path: '/v', connections: CONNECTIONS });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let k = 2; k <= RELOADS + 1; k++) {
      sent[k] = performance.now();
      if (k % 2 === 0) {
        const posted = await admin.post('/config', JSON.parse(config(k)));
        expect(posted.status).toBe(201);
      } else {
        gw.reload(config(k));
        await waitFor(async () => {
          const s = (await admin.get('/status')).body as { config_version: number; workers: { version: number }[] };
          return s.config_version === k && s.workers.every((w) => w.version >= k);
        }, 5000, `version ${k} applied after SIGHUP`);
      }
      applied[k] = performance.now();
      expect([k, await statusOf(`/extra-${k}`), await statusOf(`/extra-${k - 1}`)]).toEqual([k, 200, 404]);
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const samples = await load.stop();

    const failed = samples.filter((s) => s.status !== 200);
    expect(failed.slice(0, 5), `${failed.length} of ${samples.length} failed`).toEqual([]);

    const last = RELOADS + 1;
    const newestApplied = (t: number): number => {
      let v = 1;
      for (let k = 2; k <= last; k++) if ((applied[k] as number) <= t) v = k;
      return v;
    };
    const newestSent = (t: number): number => {
      let v = 1;
      for (let k = 2; k <= last; k++) if ((sent[k] as number) <= t) v = k;
      return v;
    };
    const wrong: string[] = [];
    const served = new Map<number, number>();
    for (const s of samples) {
      const v = versionOf(s);
      served.set(v, (served.get(v) ?? 0) + 1);
      const low = newestApplied(s.start);
      const high = newestSent(s.end);
      if (v < low || v > high) wrong.push(`served by v${v}, allowed v${low}..v${high}: ${s.body.slice(0, 120)}`);
    }
    expect(wrong.slice(0, 5), `${wrong.length} responses from the wrong version`).toEqual([]);
    // Every version served the load (the reloads really happened under it).
    expect([...served.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: last }, (_, i) => i + 1));

    const first = samples.reduce((t, s) => Math.min(t, s.start), Infinity);
    const end = samples.reduce((t, s) => Math.max(t, s.end), 0);
    const rate = samples.length / ((end - first) / 1000);
    expect(rate, `load averaged ${Math.round(rate)} req/s over ${samples.length} requests`).toBeGreaterThanOrEqual(2000);
  });
});
