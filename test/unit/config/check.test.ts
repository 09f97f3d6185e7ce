import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCheck } from '../../../tools/cli/check.js';
import { availablePlugins } from '../../../core/plugins/definitions.js';
import { watGuest } from '../../fixtures/wasm/wat-guest.js';
import { forbiddenImport } from '../../fixtures/wasm/hostile.js';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function check(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const code = await runCheck(argv, out.stream, err.stream, env);
  return { code, out: out.text(), err: err.text() };
}

const fixtures = new URL('../../fixtures/configs/', import.meta.url).pathname;
/** The plugin entities of kong-full.yaml, where they are. */
const FIXTURE_PLUGINS = [
  { name: 'rate-limiting', path: 'services[0].routes[0].plugins[0]' },
  { name: 'cors', path: 'services[0].plugins[0]' },
  { name: 'rate-limiting', path: 'consumers[0].plugins[0]' },
  { name: 'prometheus', path: 'plugins[0]' },
  { name: 'key-auth', path: 'plugins[1]' },
  { name: 'acl', path: 'plugins[2]' },
];
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gatehouse check', () => {
  it('prints one summary line and exits 0 for a valid file', async () => {
    const file = join(dir, 'gatehouse.yaml');
    await writeFile(file, [
      '_format_version: "3.0"',
      'services:',
      '  - name: a',
      '    host: pool',
      '    routes: [{ paths: [/a] }, { paths: [/b] }]',
      '  - name: b',
      '    url: http://b.internal',
      '    routes: [{ paths: [/c] }]',
      'upstreams:',
      '  - name: pool',
      '    targets: [{ target: 10.0.0.1 }, { target: 10.0.0.2 }]',
    ].join('\n'));
    const r = await check([file]);
    expect(r).toEqual({ code: 0, out: `${file}: OK (2 services, 3 routes, 1 upstream, 2 targets, 0 consumers, 0 plugins)\n`, err: '' });
  });

  it('counts the realistic fixture, loading each filter it names from --wasm-filters-path', async () => {
    const filters = join(dir, 'filters');
    await mkdir(filters, { recursive: true });
    for (const name of ['pii-redaction', 'token-counting', 'header-stamp', 'response-stamp']) await writeFile(join(filters, `${name}.wasm`), watGuest());
    const r = await check([`${fixtures}kong-full.yaml`, '--wasm-filters-path', filters]);
    // A plugin the gateway does not run is refused, never accepted and ignored: every
    // error names one of the fixture's plugins that is not available, with its path.
    const missing = FIXTURE_PLUGINS.filter((p) => !availablePlugins().includes(p.name));
    const expected = missing.map((p) => `${p.path}.name: plugin "${p.name}" is not available`).sort();
    expect(r.err.split('\n').filter((l) => l !== '').sort()).toEqual(expected);
    if (missing.length > 0) {
      expect(r.code).toBe(1);
      return;
    }
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/: OK \(2 services, 4 routes, 2 upstreams, 4 targets, 2 consumers, 6 plugins\)\n$/);
  });

  it('refuses a config whose filters cannot be found, naming each', async () => {
    const r = await check([`${fixtures}kong-full.yaml`], {});
    expect(r.code).toBe(1);
    expect(r.err).toContain('filter "pii-redaction": no wasm filters path configured');
    const missing = await check([`${fixtures}kong-full.yaml`, '--wasm-filters-path', join(dir, 'nowhere')], {});
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/filter_chains\[\d\]\.filters\[0\]\.name: filter "header-stamp" not found/);
  });

  it('refuses a filter with a forbidden import, naming the import (path also from GATEHOUSE_WASM_FILTERS_PATH)', async () => {
    const filters = join(dir, 'hostile');
    await mkdir(filters, { recursive: true });
    await writeFile(join(filters, 'sneaky.wasm'), forbiddenImport());
    const file = join(dir, 'sneaky.yaml');
    await writeFile(file, [
      '_format_version: "3.0"',
      'services:',
      '  - name: a',
      '    url: http://127.0.0.1:1',
      '    routes: [{ name: r, paths: [/a] }]',
      'filter_chains:',
      '  - route: r',
      '    filters: [{ name: sneaky }]',
    ].join('\n'));
    const r = await check([file], { GATEHOUSE_WASM_FILTERS_PATH: filters });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^filter_chains\[0\]\.filters\[0\]\.name: filter "sneaky" refused: .*forbidden import "env\.system"/m);
  });

  it('prints every error, one per line, and exits 1', async () => {
    const r = await check([`${fixtures}references.yaml`]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines).toContain('routes[0].service: references unknown service "billing"');
  });

  it('exits 1 with a clear message for a missing file', async () => {
    const file = join(dir, 'absent.yaml');
    expect(await check([file])).toEqual({ code: 1, out: '', err: `${file}: file not found\n` });
  });

  it('exits 1 naming file, line and column for a parse error', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, '_format_version: "3.0"\nservices: [\n');
    const r = await check([file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
  });

  it('exits 2 with usage when the file argument is missing or extra', async () => {
    expect(await check([])).toEqual({ code: 2, out: '', err: 'usage: gatehouse check FILE [--wasm-filters-path DIR]\n' });
    expect((await check(['a.yaml', 'b.yaml'])).code).toBe(2);
  });
});
