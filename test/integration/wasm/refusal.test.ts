/**
 * Filters that must refuse a config, at start and on reload: a forbidden import, a filter
 * missing from the filters path, a guest that rejects its configuration. At start the
 * process exits non-zero naming the filter; on reload (SIGHUP) the running config keeps
 * serving, with its filter instances; a good reload then applies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { runCli, startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { waitFor } from '../../helpers/wait.js';
import * as hostile from '../../fixtures/wasm/hostile.js';
import { watGuest } from '../../fixtures/wasm/wat-guest.js';
import { filtersDir, type FiltersDir } from './filters-dir.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Adds `x-tag: <its plugin configuration>` to the request. */
const configTagger = (): Uint8Array =>
  watGuest({
    data: { 0x400: 'x-tag' },
    onRequestHeaders: `
    (if (i32.eqz (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (i32.const 0xffff) (i32.const 0x200) (i32.const 0x204)))
      (then (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 0x400) (i32.const 5) (i32.load (i32.const 0x200)) (i32.load (i32.const 0x204))))))
    (i32.const 0)`,
  });

/** proxy_on_configure returns false: it rejects every configuration. */
const rejectsConfig = (): Uint8Array => watGuest({ onConfigure: '(i32.const 0)' });

let upstream: TestUpstream;
let dir: FiltersDir;

function config(chains: { route: string; filter: string; config?: string }[]): string {
  return JSON.stringify({
    _format_version: '3.0',
    services: [
      {
        name: 'echo',
        url: upstream.url,
        routes: [
          { name: 'tagged', paths: ['/tagged'] },
          { name: 'other', paths: ['/other'] },
        ],
      },
    ],
    filter_chains: chains.map((c, i) => ({
      name: `chain-${i}`,
      route: c.route,
      filters: [{ name: c.filter, ...(c.config === undefined ? {} : { config: c.config }) }],
    })),
  });
}

beforeAll(async () => {
  dir = filtersDir({ tagger: configTagger(), forbidden: hostile.forbiddenImport(), 'forbidden-wasi': hostile.forbiddenWasi(), picky: rejectsConfig() });
  upstream = await startUpstream();
});

afterAll(async () => {
  await upstream?.close();
  dir?.remove();
});

/** Starts a gateway that must refuse its config; returns its exit message. */
async function refusedAtStart(text: string): Promise<string> {
  let message = '';
  let gw: Gateway | null = null;
  try {
    gw = await startGateway(text, { args: ['--wasm-filters-path', dir.path] });
  } catch (err) {
    message = (err as Error).message;
  }
  if (gw !== null) {
    await gw.stop();
    throw new Error('the gateway started with a config it should have refused');
  }
  return message;
}

describe('at start', () => {
  it('a forbidden import exits non-zero, naming the filter and the import', async () => {
    const message = await refusedAtStart(config([{ route: 'tagged', filter: 'forbidden' }]));
    expect(message).toMatch(/^gateway exited with [1-9]\d*/);
    expect(message).toContain('filter_chains[0].filters[0].name');
    expect(message).toContain('filter "forbidden" refused');
    expect(message).toContain('env.system');
  });

  it('a filter missing from the filters path exits non-zero, naming it', async () => {
    const message = await refusedAtStart(config([{ route: 'tagged', filter: 'nowhere' }]));
    expect(message).toMatch(/^gateway exited with [1-9]\d*/);
    expect(message).toContain('filter "nowhere" not found');
  });

  it('a guest that rejects its configuration exits non-zero, naming the filter', async () => {
    const message = await refusedAtStart(config([{ route: 'tagged', filter: 'picky', config: '{"x":1}' }]));
    expect(message).toMatch(/^gateway exited with [1-9]\d*/);
    expect(message).toContain('filter_chains[0].filters[0].config');
    expect(message).toContain('filter "picky" failed to start');
  });

  it('`gatehouse check` refuses them with the same flag (a forbidden WASI import, a missing filter), naming each', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-check-'));
    try {
      const file = join(tmp, 'bad.json');
      writeFileSync(file, config([{ route: 'tagged', filter: 'forbidden-wasi' }, { route: 'other', filter: 'nowhere' }]));
      const bad = await runCli(['check', file, '--wasm-filters-path', dir.path]);
      expect(bad.code).not.toBe(0);
      const out = bad.stdout + bad.stderr;
      expect(out).toContain('wasi_snapshot_preview1.path_open');
      expect(out).toContain('filter "nowhere" not found');
      const goodFile = join(tmp, 'good.json');
      writeFileSync(goodFile, config([{ route: 'tagged', filter: 'tagger', config: 'v1' }]));
      expect((await runCli(['check', goodFile, '--wasm-filters-path', dir.path])).code).toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('on reload', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway(config([{ route: 'tagged', filter: 'tagger', config: 'v1' }]), { workers: 2, args: ['--wasm-filters-path', dir.path] });
  });

  afterAll(async () => {
    expect(await gw?.stop()).toBe(0);
  });

  async function tagOf(path: string): Promise<{ status: number; tag: string | undefined }> {
    const res = await request(`${gw.url}${path}`);
    const text = await res.body.text();
    if (res.statusCode !== 200) return { status: res.statusCode, tag: undefined };
    return { status: 200, tag: (JSON.parse(text) as { headers: Record<string, string> }).headers['x-tag'] };
  }

  function rejections(): number {
    return gw.stdout().split('\n').filter((l) => l.includes('config rejected; keeping the running config')).length;
  }

  it.each([
    ['a forbidden import', 'forbidden', 'env.system'],
    ['a missing filter', 'nowhere', 'filter \\"nowhere\\" not found'],
    ['a guest that rejects its configuration', 'picky', 'filter \\"picky\\" failed to start'],
  ])('%s is refused and the old config keeps serving', async (_what, filter, named) => {
    expect(await tagOf('/tagged/a')).toEqual({ status: 200, tag: 'v1' });
    const before = rejections();
    gw.reload(config([{ route: 'tagged', filter: 'tagger', config: 'v2' }, { route: 'other', filter }]));
    await waitFor(() => rejections() > before, 10_000, 'the reload to be rejected');
    const line = gw.stdout().split('\n').filter((l) => l.includes('config rejected')).at(-1) ?? '';
    expect(line).toContain(named);
    // Neither half of the new config applied: the old filter config and the old plain route.
    for (let i = 0; i < 6; i++) {
      expect(await tagOf(`/tagged/${i}`)).toEqual({ status: 200, tag: 'v1' });
      expect(await tagOf(`/other/${i}`)).toEqual({ status: 200, tag: undefined });
    }
  });

  it('a good reload then applies the new filter configuration on every worker', async () => {
    gw.reload(config([{ route: 'tagged', filter: 'tagger', config: 'v3' }, { route: 'other', filter: 'tagger', config: 'other' }]));
    await waitFor(async () => (await tagOf('/tagged/x')).tag === 'v3', 10_000, 'the reload to apply');
    for (let i = 0; i < 10; i++) {
      expect(await tagOf(`/tagged/${i}`)).toEqual({ status: 200, tag: 'v3' });
      expect(await tagOf(`/other/${i}`)).toEqual({ status: 200, tag: 'other' });
    }
  });
});
