/**
 * file-log through a gateway with 2 workers: every request one JSON line, none
 * interleaved though both workers append to the same file; reopen follows a file moved
 * away (log rotation); a file that cannot be opened fails no request and is counted.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, startRoutesRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import { waitFor } from '../../../helpers/wait.js';

let dir: string;
let rig: PluginRig;

function lines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'file-log-'));
  rig = await startRoutesRig([
    { name: 'shared', path: '/shared', plugins: [{ name: 'file-log', config: { path: join(dir, 'access.log') } }] },
    { name: 'rotated', path: '/rotated', plugins: [{ name: 'file-log', config: { path: join(dir, 'rotated.log'), reopen: true } }] },
    { name: 'nowhere', path: '/nowhere', plugins: [{ name: 'file-log', config: { path: join(dir, 'missing-dir', 'x.log') } }] },
  ]);
});

afterAll(async () => {
  await rig?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('file-log', () => {
  it('appends one whole JSON line per request from both workers (large entries too)', async () => {
    const N = 200;
    const pool = new Pool(rig.gateway.url, { connections: 8 });
    try {
      // Big headers make lines of several KB, so batches span many lines per write.
      await Promise.all(Array.from({ length: N }, (_, i) => pool.request({ path: `/shared/${i}`, method: 'GET', headers: { 'x-pad': 'p'.repeat(3000 + (i % 7) * 500) } }).then((r) => r.body.text())));
    } finally {
      await pool.close();
    }
    const path = join(dir, 'access.log');
    await waitFor(() => lines(path).length === N, 5000, `${N} lines`);
    const uris = lines(path).map((l) => (JSON.parse(l) as { request: { uri: string } }).request.uri);
    expect(new Set(uris).size).toBe(N);
  });

  it('reopen: after the file is moved away, new lines go to a new file at the path', async () => {
    const path = join(dir, 'rotated.log');
    expect((await fetch(rig.url('/rotated/1'))).status).toBe(200);
    await waitFor(() => lines(path).length === 1, 5000, 'first line');
    renameSync(path, `${path}.1`);
    expect((await fetch(rig.url('/rotated/2'))).status).toBe(200);
    await waitFor(() => lines(path).length === 1, 5000, 'line in the new file');
    expect((JSON.parse(lines(path)[0] as string) as { request: { uri: string } }).request.uri).toBe('/rotated/2');
    expect(lines(`${path}.1`)).toHaveLength(1);
  });

  it('a file that cannot be opened fails no request; the lost lines are counted', async () => {
    const statuses = await Promise.all([1, 2, 3].map(() => fetch(rig.url('/nowhere/x')).then((r) => r.status)));
    expect(statuses).toEqual([200, 200, 200]);
    await waitFor(async () => (await metricValue(rig, 'gatehouse_plugin_failures_total', { plugin: 'file-log', kind: 'dropped_write_failed' })) === 3, 5000, 'lost lines counted');
  });
});
