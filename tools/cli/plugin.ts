/**
 * `gatehouse plugin new | build | test`: scaffold a WASM filter from sdk/template, compile it
 * with asc and the host's load-time checks, and run it in the real host against scripted
 * requests (through sdk/harness, the same harness plugin tests import from vitest).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createHarness } from '../../sdk/harness/index.js';
import { buildPlugin, isBuildFresh } from './plugin/build.js';
import { pluginPaths, readManifest } from './plugin/layout.js';
import { ScaffoldError, defaultPluginsDir, scaffoldPlugin } from './plugin/scaffold.js';
import { ScriptError, SMOKE_SCRIPT, loadScript, runScript, type Script } from './plugin/script.js';

interface Out {
  write(s: string): unknown;
}

const USAGE = `usage: gatehouse plugin <new|build|test> ...

  new NAME [--dir DIR]
        scaffold a plugin folder DIR/NAME (default DIR: wasm-plugins/ inside the Gatehouse
        checkout, else the current directory); NAME is kebab-case
  build [DIR] [--out FILE] [--debug]
        compile DIR/assembly/index.ts with asc (release; --debug: debug target) to
        DIR/build/NAME.wasm and check it as the gateway does at load
  test [DIR] [--script FILE] [--wasm FILE] [--config JSON]
        build (unless up to date, or --wasm), then run the script (default DIR/test/script.yaml,
        else one GET) in the real host, no server; one line per step, exit 1 on any failure
`;

type FlagSpec = Record<string, { type: 'string' | 'boolean' }>;

function parse(args: string[], options: FlagSpec): { values: Record<string, unknown>; positionals: string[] } {
  return parseArgs({ args, options, allowPositionals: true, strict: true });
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

async function runNew(args: string[], stdout: Out, stderr: Out): Promise<number> {
  const { values, positionals } = parse(args, { dir: { type: 'string' } });
  const [name, extra] = positionals;
  if (name === undefined || extra !== undefined) {
    stderr.write(`gatehouse plugin new: expected exactly one NAME\n\n${USAGE}`);
    return 1;
  }
  const cwd = process.cwd();
  try {
    const { dir, files } = await scaffoldPlugin(name, str(values['dir']) ?? defaultPluginsDir(cwd), cwd);
    const shown = relative(cwd, dir) || '.';
    stdout.write(`created ${shown}/\n${files.map((f) => `  ${relative(dir, f)}\n`).join('')}`);
    stdout.write(`next: gatehouse plugin build ${shown} && gatehouse plugin test ${shown}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ScaffoldError)) throw err;
    stderr.write(`gatehouse plugin new: ${err.message}\n`);
    return 1;
  }
}

async function runBuild(args: string[], stdout: Out, stderr: Out): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string' }, debug: { type: 'boolean' } });
  const dir = resolve(positionals[0] ?? '.');
  const out = str(values['out']);
  const r = await buildPlugin(dir, { ...(out === undefined ? {} : { out }), debug: values['debug'] === true });
  if (!r.ok) {
    stderr.write(`gatehouse plugin build: ${r.name}: ${r.stage} failed\n${r.diagnostics}\n`);
    return 1;
  }
  stdout.write(`built ${relative(process.cwd(), r.outFile) || r.outFile} (${r.wasm.byteLength} bytes)\n`);
  return 0;
}

/** The module to test: --wasm, or a fresh build (reused when newer than every source). */
async function testWasm(dir: string, wasmFile: string | undefined, stdout: Out, stderr: Out): Promise<Uint8Array | null> {
  if (wasmFile !== undefined) return new Uint8Array(await readFile(wasmFile));
  const out = pluginPaths(dir).defaultOut;
  if (await isBuildFresh(dir, out)) return new Uint8Array(await readFile(out));
  const r = await buildPlugin(dir);
  if (!r.ok) {
    stderr.write(`gatehouse plugin test: ${r.name}: ${r.stage} failed\n${r.diagnostics}\n`);
    return null;
  }
  stdout.write(`built ${relative(process.cwd(), r.outFile)}\n`);
  return r.wasm;
}

async function testScript(dir: string, scriptFile: string | undefined): Promise<{ script: Script; source: string }> {
  const file = scriptFile ?? ['script.yaml', 'script.yml', 'script.json'].map((f) => join(dir, 'test', f)).find((f) => existsSync(f));
  if (file === undefined) return { script: SMOKE_SCRIPT, source: 'smoke test (no test/script.yaml)' };
  return { script: await loadScript(file), source: relative(process.cwd(), file) || file };
}

async function runTest(args: string[], stdout: Out, stderr: Out): Promise<number> {
  const { values, positionals } = parse(args, { script: { type: 'string' }, wasm: { type: 'string' }, config: { type: 'string' } });
  const dir = resolve(positionals[0] ?? '.');
  const wasmFile = str(values['wasm']);
  let script: Script;
  let source: string;
  try {
    ({ script, source } = await testScript(dir, str(values['script'])));
  } catch (err) {
    if (!(err instanceof ScriptError)) throw err;
    stderr.write(`gatehouse plugin test: ${err.message}\n`);
    return 1;
  }
  const wasm = await testWasm(dir, wasmFile, stdout, stderr);
  if (wasm === null) return 1;
  const configFlag = str(values['config']);
  const config = configFlag ?? script.config;
  const name = wasmFile === undefined || existsSync(join(dir, 'plugin.json')) ? readManifest(dir).name : 'plugin';
  let harness;
  try {
    harness = createHarness(wasm, { name, ...(config === undefined ? {} : { config }) });
  } catch (err) {
    stderr.write(`gatehouse plugin test: ${name}: ${(err as Error).message}\n`);
    return 1;
  }
  stdout.write(`${name}: ${source}\n`);
  const outcomes = await runScript(harness, script);
  harness.close();
  let failed = 0;
  for (const o of outcomes) {
    if (o.differences.length === 0) {
      stdout.write(`ok ${o.index} ${o.label}\n`);
    } else {
      failed++;
      stdout.write(`FAIL ${o.index} ${o.label}\n${o.differences.map((d) => `  ${d}\n`).join('')}`);
    }
  }
  stdout.write(`${outcomes.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

/** Entry for `gatehouse plugin ...`; returns the exit code. */
export async function runPlugin(args: string[], stdout: Out = process.stdout, stderr: Out = process.stderr): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'new':
        return await runNew(rest, stdout, stderr);
      case 'build':
        return await runBuild(rest, stdout, stderr);
      case 'test':
        return await runTest(rest, stdout, stderr);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        stdout.write(USAGE);
        return sub === undefined ? 2 : 0;
      default:
        stderr.write(`gatehouse plugin: unknown subcommand "${sub}"\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    // parseArgs errors (unknown flag) and unreadable files: a clear message, exit 1
    const code = (err as { code?: unknown }).code;
    const usage = typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') ? `\n${USAGE}` : '';
    stderr.write(`gatehouse plugin ${sub}: ${(err as Error).message}\n${usage}`);
    return 1;
  }
}
