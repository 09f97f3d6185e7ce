/**
 * Correctness under load: 10,000 requests over 64 concurrent keep-alive connections
 * through a gateway with 2 workers, zero errors, and every response body checked:
 * /bytes/N bodies against the byte pattern (several sizes, both framings), /anything
 * echoes against the request they describe (path, query and a SHA-256 of the body sent).
 * The echo upstream runs in its own process. Bounded in time by the test timeout; the
 * test asserts behaviour only, never speed.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { findPatternMismatch } from '../../../bench/upstreams/byte-pattern.js';
import { startEchoProcess, type EchoProcess } from '../../helpers/echo-process.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';

const TOTAL = 10_000;
const CONNECTIONS = 64;
const SIZES = [0, 1, 250, 4096, 65_537, 262_144];

let echo: EchoProcess;
let gw: Gateway;
/** Worker indexes seen in request ids (hex digits 8-9 of x-gatehouse-request-id). */
const workersSeen = new Set<string>();

function noteWorker(headers: Record<string, string | string[] | undefined>): void {
  const id = headers['x-gatehouse-request-id'];
  if (typeof id === 'string') workersSeen.add(id.slice(8, 10));
}

beforeAll(async () => {
  echo = await startEchoProcess();
  gw = await startGateway(
    JSON.stringify({ _format_version: '3.0', services: [{ name: 'echo', url: echo.url, routes: [{ name: 'all', paths: ['/'] }] }] }),
    { workers: 2 },
  );
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await echo?.close();
});

interface Anything {
  method: string;
  path: string;
  query: Record<string, string>;
  bodyLength: number;
  bodySha256: string;
}

/** Request i of the mix, and the check of its answer; returns an error text or ''. */
async function one(pool: Pool, i: number): Promise<string> {
  const kind = i % 4;
  if (kind === 0 || kind === 1) {
    const size = SIZES[(i >> 2) % SIZES.length] as number;
    const path = kind === 0 ? `/bytes/${size}` : `/chunked/${size}`;
    const res = await pool.request({ path, method: 'GET' });
    noteWorker(res.headers);
    const body = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200) return `${i} ${path}: status ${res.statusCode}`;
    if (body.length !== size) return `${i} ${path}: ${body.length} bytes`;
    const at = findPatternMismatch(body);
    return at === -1 ? '' : `${i} ${path}: wrong byte at ${at}`;
  }
  const payload = kind === 3 ? Buffer.from(`payload-${i}-${'z'.repeat(i % 2000)}`) : null;
  const path = `/anything/req-${i}?n=${i}`;
  const res = await pool.request({ path, method: payload === null ? 'GET' : 'POST', body: payload });
  noteWorker(res.headers);
  const text = await res.body.text();
  if (res.statusCode !== 200) return `${i} ${path}: status ${res.statusCode}`;
  const got = JSON.parse(text) as Anything;
  const sent = payload ?? Buffer.alloc(0);
  const expectedHash = createHash('sha256').update(sent).digest('hex');
  if (got.path !== `/anything/req-${i}` || got.query.n !== String(i)) return `${i}: echoed ${got.path} ${JSON.stringify(got.query)}`;
  if (got.bodyLength !== sent.length || got.bodySha256 !== expectedHash) return `${i}: body ${got.bodyLength} bytes, hash mismatch`;
  return '';
}

describe('correctness under load', () => {
  it(`answers ${TOTAL} requests over ${CONNECTIONS} connections through 2 workers, every body intact`, async () => {
    const pool = new Pool(gw.url, { connections: CONNECTIONS, pipelining: 1 });
    const errors: string[] = [];
    let next = 0;
    let done = 0;
    try {
      // 64 loops, each issuing its next request when the previous one is checked:
      // exactly 64 requests in flight until the tail.
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (next < TOTAL) {
            const i = next++;
            try {
              const problem = await one(pool, i);
              if (problem !== '') errors.push(problem);
            } catch (err) {
              errors.push(`${i}: ${err instanceof Error ? err.message : String(err)}`);
            }
            done++;
          }
        }),
      );
    } finally {
      await pool.close();
    }
    expect(errors.slice(0, 20)).toEqual([]);
    expect(errors.length).toBe(0);
    expect(done).toBe(TOTAL);
    expect([...workersSeen].sort()).toEqual(['00', '01']);
  }, 120_000);
});
