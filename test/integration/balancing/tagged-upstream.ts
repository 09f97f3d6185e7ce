/**
 * Tagged upstreams for the balancing and health suites: node:http servers on 127.0.0.1
 * that answer every request with their tag (so the client sees which target served it),
 * with knobs a test turns while the gateway runs: the status of proxied requests, a
 * delay, and the status of the health-probe path. Probes are counted apart from traffic.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const PROBE_PATH = '/_probe';

export interface TaggedUpstream {
  readonly tag: string;
  readonly port: number;
  /** `127.0.0.1:<port>`: the Kong target address. */
  readonly target: string;
  /** Status of proxied (non-probe) requests. */
  status: number;
  /** Delay before answering proxied requests, ms. */
  delayMs: number;
  /** Status of GET PROBE_PATH. */
  probeStatus: number;
  /** Proxied requests received (not probes). */
  hits: number;
  /** Probes received. */
  probes: number;
  /** Request ids (x-gatehouse-request-id) of the proxied requests received. */
  readonly requestIds: string[];
  close(): Promise<void>;
}

export async function startTagged(tag: string): Promise<TaggedUpstream> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const up: TaggedUpstream = {
    tag,
    port: 0,
    target: '',
    status: 200,
    delayMs: 0,
    probeStatus: 200,
    hits: 0,
    probes: 0,
    requestIds: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (server === null) resolve();
        else server.close(() => resolve());
      }),
  };
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === PROBE_PATH) {
        up.probes++;
        res.writeHead(up.probeStatus, { 'content-type': 'text/plain' });
        res.end(`probe ${tag}`);
        return;
      }
      up.hits++;
      const id = req.headers['x-gatehouse-request-id'];
      if (typeof id === 'string') up.requestIds.push(id);
      const status = up.status;
      const answer = (): void => {
        res.writeHead(status, { 'content-type': 'text/plain', 'x-target': tag });
        res.end(tag);
      };
      if (up.delayMs > 0) setTimeout(answer, up.delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(up, { port, target: `127.0.0.1:${port}` });
  return up;
}

/** Counts of each tag in `tags`. */
export function tally(tags: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tags) out[t] = (out[t] ?? 0) + 1;
  return out;
}

/** Runs `total` GETs over `concurrency` loops; returns each response as [status, body, request id]. */
export async function fire(
  send: (i: number) => Promise<{ status: number; body: string; id: string }>,
  total: number,
  concurrency: number,
): Promise<{ status: number; body: string; id: string }[]> {
  const out: { status: number; body: string; id: string }[] = [];
  let next = 0;
  const loop = async (): Promise<void> => {
    for (let i = next++; i < total; i = next++) out.push(await send(i));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, loop));
  return out;
}
