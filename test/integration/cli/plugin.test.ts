/**
 * `gatehouse plugin new | build | test` through the built CLI (dist/tools/cli/index.js, run
 * `npm run build` first) in a temp folder outside the checkout: the scaffold builds, its
 * script passes in the real host and its vitest file passes as generated; bad names,
 * existing folders, a forbidden import, a compile error and a wrong expectation each fail
 * with exit 1 and say why. asc runs three times in this file (scaffold, forbidden import,
 * compile error); everything else reuses the scaffold's build.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../../helpers/gateway.js';
import { defaultPluginsDir } from '../../../tools/cli/plugin/scaffold.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: string[], cwd: string): Promise<Run> {
  // A nested vitest must not think it is a worker of this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'TEST'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const plugin = (cwd: string, ...args: string[]): Promise<Run> => run(CLI, ['plugin', ...args], cwd);

let work = '';
let dir = '';
let created: Run;
let built: Run;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'gatehouse-plugin-'));
  created = await plugin(work, 'new', 'hello-filter');
  dir = join(work, 'hello-filter');
  built = await plugin(work, 'build', 'hello-filter');
}, 60_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('gatehouse plugin new', () => {
  it('scaffolds the whole plugin folder in the current directory when run outside the checkout', () => {
    expect(created.code, created.stderr).toBe(0);
    for (const f of ['assembly/index.ts', 'schema.json', 'plugin.json', 'README.md', 'asconfig.json', 'test/hello-filter.test.ts', 'test/script.yaml', '.gitignore']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(dir, 'plugin.json'), 'utf8'))).toEqual({
      name: 'hello-filter', version: '0.1.0', priority: 1000, phases: ['request_headers'], on_error: 'fail_closed',
    });
    const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')) as { properties: Record<string, { description?: string }> };
    for (const [field, spec] of Object.entries(schema.properties)) expect(spec.description, field).toMatch(/\w/);
    const source = readFileSync(join(dir, 'assembly/index.ts'), 'utf8');
    expect(source).toContain('class HelloFilterRoot extends RootContext');
    expect(source).not.toMatch(/\{\{|__name__/);
    // the SDK is reached by a relative path to this checkout
    const sdk = /from "([^"]+)\/index";/.exec(source)?.[1] ?? '';
    expect(existsSync(join(dir, 'assembly', sdk, 'index.ts'))).toBe(true);
  });

  it('defaults to wasm-plugins/ inside the checkout', () => {
    expect(defaultPluginsDir(join(ROOT, 'core'))).toBe(join(ROOT, 'wasm-plugins'));
    expect(defaultPluginsDir(work)).toBe(work);
  });

  it('refuses a name that is not kebab-case', async () => {
    for (const bad of ['Hello', 'my_filter', 'x-', 'a--b', '9lives']) {
      const r = await plugin(work, 'new', bad);
      expect(r.code, bad).toBe(1);
      expect(r.stderr).toContain(`invalid plugin name "${bad}"`);
      expect(existsSync(join(work, bad))).toBe(false);
    }
  });

  it('refuses an existing folder and leaves it untouched', async () => {
    const before = readFileSync(join(dir, 'assembly/index.ts'), 'utf8');
    const r = await plugin(work, 'new', 'hello-filter');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hello-filter already exists/);
    expect(readFileSync(join(dir, 'assembly/index.ts'), 'utf8')).toBe(before);
  });

  it('honours --dir', async () => {
    const r = await plugin(work, 'new', 'other-filter', '--dir', 'nested/plugins');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(work, 'nested/plugins/other-filter/assembly/index.ts'))).toBe(true);
  });
});

describe('gatehouse plugin build', () => {
  it('compiles the scaffold to build/<name>.wasm, a module the host accepts', () => {
    expect(built.code, built.stderr).toBe(0);
    const out = join(dir, 'build/hello-filter.wasm');
    expect(built.stdout).toContain('build/hello-filter.wasm');
    const mod = new WebAssembly.Module(readFileSync(out));
    const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
    expect(exports).toContain('proxy_on_request_headers');
    expect(exports).toContain('_initialize');
  });

  it('fails naming the forbidden import, and writes no output', async () => {
    const evil = join(work, 'evil');
    mkdirSync(join(evil, 'assembly'), { recursive: true });
    cpSync(join(dir, 'asconfig.json'), join(evil, 'asconfig.json'));
    writeFileSync(join(evil, 'plugin.json'), JSON.stringify({ name: 'evil', version: '0.1.0' }));
    // a valid filter (the scaffold's source) plus one call to a host function outside the allowlist
    writeFileSync(join(evil, 'assembly/index.ts'), readFileSync(join(dir, 'assembly/index.ts'), 'utf8'));
    appendFileSync(
      join(evil, 'assembly/index.ts'),
      '\n@external("env", "system") declare function system(x: i32): i32;\nexport function run_system(x: i32): i32 { return system(x); }\n',
    );
    const r = await plugin(work, 'build', 'evil');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('forbidden import "env.system"');
    expect(existsSync(join(evil, 'build/evil.wasm'))).toBe(false);
  });

  it("fails with asc's diagnostics on a compile error", async () => {
    const broken = join(work, 'broken');
    mkdirSync(join(broken, 'assembly'), { recursive: true });
    cpSync(join(dir, 'asconfig.json'), join(broken, 'asconfig.json'));
    writeFileSync(join(broken, 'assembly/index.ts'), 'export function f(): i32 { return undefinedThing; }\n');
    const r = await plugin(work, 'build', 'broken');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('compile failed');
    expect(r.stderr).toContain('undefinedThing');
    expect(r.stderr).toMatch(/TS\d+/);
  });
});

describe('gatehouse plugin test', () => {
  it("passes the scaffold's own script, one line per step", async () => {
    const before = statSync(join(dir, 'build/hello-filter.wasm')).mtimeMs;
    const r = await plugin(work, 'test', 'hello-filter');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok 1 GET \/hello$/m);
    expect(r.stdout).toMatch(/^ok 2 GET \/private\/keys$/m);
    expect(r.stdout).toMatch(/^ok 3 POST \/items$/m);
    expect(r.stdout).toContain('3 passed, 0 failed');
    // the build was up to date: reused, not rebuilt
    expect(statSync(join(dir, 'build/hello-filter.wasm')).mtimeMs).toBe(before);
  });

  it('fails with exit 1 and shows the difference when an expectation is wrong', async () => {
    const script = join(work, 'wrong.json');
    writeFileSync(
      script,
      JSON.stringify({
        config: { header: 'x-team', value: 'payments' },
        steps: [
          { request: { path: '/a' }, expect: { status: 200, requestHeaders: { 'x-team': 'payments' } } },
          { request: { path: '/b' }, expect: { status: 404, requestHeaders: { 'x-team': 'billing', 'x-hello-filter': null } } },
        ],
      }),
    );
    const r = await plugin(work, 'test', 'hello-filter', '--script', script);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ok 1 GET \/a$/m);
    expect(r.stdout).toMatch(/^FAIL 2 GET \/b$/m);
    expect(r.stdout).toContain('status: expected 404, got 200');
    expect(r.stdout).toContain('request header x-team: expected "billing", got "payments"');
    expect(r.stdout).toContain('1 passed, 1 failed');
  });

  it('runs a smoke GET with --wasm when the plugin has no script', async () => {
    const bare = join(work, 'bare');
    mkdirSync(bare);
    const r = await plugin(work, 'test', 'bare', '--wasm', join(dir, 'build/hello-filter.wasm'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok 1 GET \/$/m);
  });

  it('rejects a malformed script naming the step and field', async () => {
    const script = join(work, 'bad.yaml');
    writeFileSync(script, 'steps:\n  - request: { path: /x }\n    expected: { status: 200 }\n');
    const r = await plugin(work, 'test', 'hello-filter', '--script', script);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('steps[0]: unknown field "expected"');
  });

  it("passes the scaffold's generated vitest file", async () => {
    const r = await run(VITEST, ['run', '--root', dir], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/5 passed/);
  }, 60_000);
});
