/**
 * Regression: a filter that answers locally from its request-body callback must also end
 * the upstream attempt it had started. The request was dispatched after the headers phase
 * with the body as a stream; when the body chunks arrived before undici had connected
 * (ctx.abortUpstream still null), the local answer reached the client but the upstream
 * request stayed open forever, waiting for the rest of a body that never came. Fixed in
 * core/worker/filtered-request.ts (#push fails the body stream too).
 * Also: a local answer from the request-headers callback while the client is still
 * uploading leaves the connection usable (or closed), never stuck.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, request } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { waitFor, within } from '../../helpers/wait.js';
import { watGuest } from '../../fixtures/wasm/wat-guest.js';
import { filtersDir, type FiltersDir } from './filters-dir.js';

/** Answers 422 "no" once the whole request body was seen (Pause until then). */
const rejectAtEndOfBody = (): Uint8Array =>
  watGuest({
    data: { 0x400: 'no' },
    onRequestBody: `
    (if (i32.eqz (local.get $eos)) (then (return (i32.const 1))))
    (drop (call $proxy_send_local_response (i32.const 422) (i32.const 0) (i32.const 0) (i32.const 0x400) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const -1)))
    (i32.const 1)`,
  });

/** Answers 403 "no" from the request-headers callback, before any body byte. */
const rejectAtHeaders = (): Uint8Array =>
  watGuest({
    data: { 0x400: 'no' },
    onRequestHeaders: `
    (drop (call $proxy_send_local_response (i32.const 403) (i32.const 0) (i32.const 0) (i32.const 0x400) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const -1)))
    (i32.const 1)`,
  });

let server: Server;
/** Upstream TCP connections opened and closed so far. */
let opened = 0;
let closed = 0;
let dir: FiltersDir;
let gw: Gateway;

beforeAll(async () => {
  // An upstream that counts its connections: an abandoned attempt must not keep one open.
  server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => res.end('ok'));
  });
  server.on('connection', (socket) => {
    opened++;
    socket.on('close', () => closed++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  dir = filtersDir({ 'reject-body': rejectAtEndOfBody(), 'reject-headers': rejectAtHeaders() });
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      services: [
        {
          name: 'up',
          url: `http://127.0.0.1:${port}`,
          routes: [
            { name: 'body', paths: ['/body'] },
            { name: 'headers', paths: ['/headers'] },
            { name: 'plain', paths: ['/plain'] },
          ],
        },
      ],
      filter_chains: [
        { route: 'body', filters: [{ name: 'reject-body' }] },
        { route: 'headers', filters: [{ name: 'reject-headers' }] },
      ],
    }),
    { args: ['--wasm-filters-path', dir.path] },
  );
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  dir?.remove();
});

describe('a local response from a request-body callback', () => {
  it('answers the client and ends the upstream attempt it had started', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await request(`${gw.url}/body/x`, { method: 'POST', body: Buffer.alloc(50_000, 'r') });
      expect(res.statusCode).toBe(422);
      expect(await res.body.text()).toBe('no');
    }
    // A plain request to the same upstream afterwards keeps one idle keep-alive
    // connection; the filtered attempts must not hold any. (Before the fix each one kept
    // a connection open, with nothing sent on it, until the gateway stopped.)
    const plain = await request(`${gw.url}/plain/x`);
    expect(await plain.body.text()).toBe('ok');
    await waitFor(() => opened - closed <= 1, 5_000, `abandoned upstream connections to close (opened ${opened}, closed ${closed})`);
  });
});

describe('a local response from a request-headers callback during an upload', () => {
  it('leaves the connection usable or closed, never stuck', async () => {
    const client = new Client(gw.url, { pipelining: 1 });
    try {
      const res = await within(client.request({ path: '/headers/x', method: 'POST', body: Buffer.alloc(300_000, 'u') }), 5_000, 'the 403');
      expect(res.statusCode).toBe(403);
      expect(await res.body.text()).toBe('no');
      const next = await within(client.request({ path: '/plain/next', method: 'GET' }), 5_000, 'the next request on that connection');
      expect(next.statusCode).toBe(200);
      expect(await next.body.text()).toBe('ok');
    } finally {
      await client.close();
    }
  });
});
