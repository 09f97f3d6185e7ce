/**
 * tools/build-plugins.ts: which folders are plugins, when an output is up to date, and one
 * real pass over a temp plugins folder (a scaffolded plugin, a broken one, a folder without
 * plugin.json). asc runs twice for the good plugin (first build, rebuild after a touch);
 * the CLI form runs against the broken plugin only.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAllPlugins, pluginFolders } from '../../../tools/build-plugins.js';
import { buildInputs, isUpToDate, pluginPaths } from '../../../tools/cli/plugin/layout.js';
import { scaffoldPlugin } from '../../../tools/cli/plugin/scaffold.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SCRIPT = join(ROOT, 'dist/tools/build-plugins.js');

let work = '';
let plugins = '';

function touch(file: string, secondsFromNow: number): void {
  const t = Date.now() / 1000 + secondsFromNow;
  utimesSync(file, t, t);
}

function write(file: string, text: string): string {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'gatehouse-build-plugins-'));
  plugins = join(work, 'plugins');
  await scaffoldPlugin('alpha', plugins, work);
  write(join(plugins, 'broken/plugin.json'), JSON.stringify({ name: 'broken', version: '0.1.0' }));
  write(join(plugins, 'broken/assembly/index.ts'), 'export function f(): i32 { return missingName; }\n');
  write(join(plugins, 'notes/README.md'), 'not a plugin: no plugin.json\n');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('isUpToDate', () => {
  it('is false without an output, true when the output is newest, false when any input is newer', async () => {
    const dir = join(work, 'mtimes');
    const a = write(join(dir, 'a.ts'), 'a');
    const b = write(join(dir, 'b.ts'), 'b');
    const out = join(dir, 'out.wasm');
    expect(await isUpToDate(out, [a, b])).toBe(false);
    write(out, 'wasm');
    touch(a, -100);
    touch(b, -50);
    touch(out, -10);
    expect(await isUpToDate(out, [a, b])).toBe(true);
    touch(b, 0);
    expect(await isUpToDate(out, [a, b])).toBe(false);
    touch(out, 10);
    expect(await isUpToDate(out, [a, b, join(dir, 'vanished.ts')])).toBe(true);
  });

  it("counts the plugin folder, the SDK and both asconfig files as inputs, not tests or build output", async () => {
    const inputs = await buildInputs(pluginPaths(join(plugins, 'alpha')));
    expect(inputs).toContain(join(plugins, 'alpha/assembly/index.ts'));
    expect(inputs).toContain(join(plugins, 'alpha/plugin.json'));
    expect(inputs).toContain(join(plugins, 'alpha/asconfig.json'));
    expect(inputs).toContain(join(ROOT, 'sdk/assembly/index.ts'));
    expect(inputs).toContain(join(ROOT, 'asconfig.json'));
    expect(inputs.filter((f) => f.startsWith(join(plugins, 'alpha/test')))).toEqual([]);
  });
});

describe('pluginFolders', () => {
  it('lists only folders with a plugin.json, sorted', async () => {
    expect(await pluginFolders(plugins)).toEqual([join(plugins, 'alpha'), join(plugins, 'broken')]);
    expect(await pluginFolders(join(work, 'absent'))).toEqual([]);
  });
});

describe('buildAllPlugins', () => {
  it('builds, skips what is up to date, rebuilds after a change, and reports failures', async () => {
    const outDir = join(work, 'out');
    const first = await buildAllPlugins({ pluginsDir: plugins, outDir });
    expect(first.built).toEqual(['alpha']);
    expect(first.skipped).toEqual([]);
    expect(first.failed.map((f) => f.name)).toEqual(['broken']);
    expect(first.failed[0]?.diagnostics).toContain('missingName');
    const out = join(outDir, 'alpha.wasm');
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(out))).map((e) => e.name);
    expect(exports).toContain('proxy_on_context_create');
    expect(existsSync(join(outDir, 'broken.wasm'))).toBe(false);

    const second = await buildAllPlugins({ pluginsDir: plugins, outDir });
    expect(second.built).toEqual([]);
    expect(second.skipped).toEqual(['alpha']);

    touch(join(plugins, 'alpha/assembly/index.ts'), 60);
    const third = await buildAllPlugins({ pluginsDir: plugins, outDir });
    expect(third.built).toEqual(['alpha']);
    expect(third.skipped).toEqual([]);
  }, 60_000);

  it('exits non-zero with the diagnostics when run as a script', async () => {
    const only = join(work, 'only-broken');
    write(join(only, 'broken/plugin.json'), JSON.stringify({ name: 'broken' }));
    write(join(only, 'broken/assembly/index.ts'), 'export function f(): i32 { return missingName; }\n');
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [SCRIPT, '--plugins', only, '--out', join(work, 'out2')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain('broken: compile failed');
    expect(r.out).toContain('missingName');
    expect(r.out).toContain('0 built, 0 up to date, 1 failed');
  }, 30_000);
});
