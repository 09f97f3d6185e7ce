/**
 * The body size limit on a filtered route whose filter reads no body (wasm-plugins/noop
 * with touch_headers): the body takes the plain route's path, and the limit holds there
 * as on a plain route — 413 (or a reset for a client still writing) for a chunked body
 * that grows past it, never an oversized body upstream — while a body at the limit passes
 * with the client's Content-Length.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectChunkedBodyOverLimitRefused } from '../../helpers/body-limit.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { buildWasm } from '../../helpers/wasm-build.js';
import { filtersDir, type FiltersDir } from './filters-dir.js';

const MAX_BODY = 64 * 1024;

let upstream: TestUpstream;
let dir: FiltersDir;
let gw: Gateway;

beforeAll(async () => {
  dir = filtersDir({ noop: await buildWasm('wasm-plugins/noop/assembly/index.ts') });
  upstream = await startUpstream();
  const config = {
    _format_version: '3.0',
    services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'filtered', paths: ['/'] }] }],
    filter_chains: [{ route: 'filtered', filters: [{ name: 'noop', config: { touch_headers: true } }] }],
  };
  gw = await startGateway(JSON.stringify(config), { args: ['--wasm-filters-path', dir.path], env: { GATEHOUSE_MAX_BODY_BYTES: String(MAX_BODY) } });
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await upstream?.close();
  dir?.remove();
});

describe('body limit on a filtered route whose filter reads no body', () => {
  it('passes a body at the limit with its Content-Length, after the filter ran', async () => {
    const res = await request(`${gw.url}/at-limit`, { method: 'POST', body: Buffer.alloc(MAX_BODY, 1) });
    expect(res.statusCode).toBe(200);
    const echo = (await res.body.json()) as { bodyLength: number; headers: Record<string, string> };
    expect(echo.bodyLength).toBe(MAX_BODY);
    expect(echo.headers['content-length']).toBe(String(MAX_BODY));
    expect(echo.headers['x-bench-seen']).toBe('none');
  });

  it('answers 413 when a chunked body grows past the limit, and the upstream never gets it whole', async () => {
    await expectChunkedBodyOverLimitRefused(`${gw.url}/upload-chunked`, upstream, MAX_BODY);
    // The worker keeps serving.
    const after = await request(`${gw.url}/after`);
    expect(after.statusCode).toBe(200);
    await after.body.dump();
  });
});
