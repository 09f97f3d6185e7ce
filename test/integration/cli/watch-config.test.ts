/**
 * Opt-in config watching (`--watch-config`): editing the file in place or replacing it by
 * rename (as editors and deploy tools do) reloads it like SIGHUP; a broken edit is
 * rejected and the running config keeps serving; a later good edit applies.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { waitFor } from '../../helpers/wait.js';

let upstream: TestUpstream;
let gw: Gateway;

function config(path: string): string {
  return JSON.stringify({
    _format_version: '3.0',
    services: [{ name: 'echo', url: upstream.url, routes: [{ name: 'r', paths: [path], strip_path: false }] }],
  });
}

async function statusOf(path: string): Promise<number> {
  const res = await request(gw.url + path);
  await res.body.dump();
  return res.statusCode;
}

beforeAll(async () => {
  upstream = await startUpstream();
  gw = await startGateway(config('/one'), { args: ['--watch-config'] });
});

afterAll(async () => {
  expect(await gw?.stop()).toBe(0);
  await upstream?.close();
});

describe('--watch-config', () => {
  it('reloads when the file is rewritten in place', async () => {
    expect(await statusOf('/one')).toBe(200);
    writeFileSync(gw.configPath, config('/two'));
    await waitFor(async () => (await statusOf('/two')) === 200, 10_000, '/two served');
    expect(await statusOf('/one')).toBe(404);
  });

  it('reloads when a new file is renamed over it', async () => {
    const next = `${gw.configPath}.next`;
    writeFileSync(next, config('/three'));
    renameSync(next, gw.configPath);
    await waitFor(async () => (await statusOf('/three')) === 200, 10_000, '/three served');
  });

  it('keeps the running config when the new file is broken, then applies a good one', async () => {
    writeFileSync(gw.configPath, '_format_version: "3.0"\nservices: [{ name: x, retries: lots }]\n');
    await waitFor(() => gw.output().includes('retries'), 10_000, 'the rejection logged');
    expect(await statusOf('/three')).toBe(200);
    writeFileSync(gw.configPath, config('/four'));
    await waitFor(async () => (await statusOf('/four')) === 200, 10_000, '/four served');
  });
});
