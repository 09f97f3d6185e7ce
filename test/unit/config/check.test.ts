import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCheck } from '../../../tools/cli/check.js';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function check(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const code = await runCheck(argv, out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

const fixtures = new URL('../../fixtures/configs/', import.meta.url).pathname;
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

  it('counts the realistic fixture', async () => {
    const r = await check([`${fixtures}kong-full.yaml`]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/: OK \(2 services, 4 routes, 2 upstreams, 4 targets, 2 consumers, 6 plugins\)\n$/);
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
    expect(await check([])).toEqual({ code: 2, out: '', err: 'usage: gatehouse check FILE\n' });
    expect((await check(['a.yaml', 'b.yaml'])).code).toBe(2);
  });
});
