/**
 * Build one plugin folder: asc (release, or debug) on `assembly/index.ts` with the plugin's
 * asconfig.json (or the root one), then the host's own load-time checks
 * (`prepareModuleSync`: import allowlist, required exports, instrumentation), so a module the
 * gateway would refuse never becomes a build output. The output is written only when both
 * pass (asc writes to a temporary file that is renamed into place).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WASM_LIMITS } from '../../../core/wasm/limits.js';
import { prepareModuleSync } from '../../../core/wasm/prepare/prepare.js';
import { ModuleCheckError } from '../../../core/wasm/prepare/imports-check.js';
import { buildInputs, isUpToDate, pluginPaths, type PluginPaths } from './layout.js';

export interface BuildOptions {
  /** Output file; default `<dir>/build/<name>.wasm` (`<name>.debug.wasm` with `debug`). */
  readonly out?: string;
  /** asc's `debug` target (unoptimised, with debug info) instead of `release`. */
  readonly debug?: boolean;
}

export type BuildResult =
  | { readonly ok: true; readonly name: string; readonly outFile: string; readonly wasm: Uint8Array }
  | { readonly ok: false; readonly name: string; readonly stage: 'setup' | 'compile' | 'validate'; readonly diagnostics: string };

/** Problems asc would silently ignore: a missing entry, or an `extends` that points nowhere. */
function setupProblem(paths: PluginPaths): string | null {
  if (!existsSync(paths.entry)) return `missing entry file ${paths.entry}`;
  let config: { extends?: unknown };
  try {
    config = JSON.parse(readFileSync(paths.asconfig, 'utf8')) as { extends?: unknown };
  } catch (err) {
    return `${paths.asconfig}: not valid JSON (${(err as Error).message})`;
  }
  if (typeof config.extends === 'string') {
    const base = resolve(dirname(paths.asconfig), config.extends);
    if (!existsSync(base)) return `${paths.asconfig}: "extends" points at ${base}, which does not exist`;
  }
  return null;
}

/**
 * The SDK's asc transform (sdk/transform/callbacks.ts, compiled): which callbacks the host
 * may skip. Next to this file when it runs from dist/; from the sources (tests import them)
 * it is the built copy in dist/.
 */
const CALLBACKS_TRANSFORM = [
  new URL('../../../sdk/transform/callbacks.js', import.meta.url),
  new URL('../../../dist/sdk/transform/callbacks.js', import.meta.url),
].map((u) => fileURLToPath(u)).find((path) => existsSync(path)) ?? fileURLToPath(new URL('../../../sdk/transform/callbacks.js', import.meta.url));

async function runAsc(paths: PluginPaths, outFile: string, debug: boolean): Promise<string | null> {
  const asc = (await import('assemblyscript/asc')).default;
  let diagnostics = '';
  const sink = { write: (s: string | Uint8Array) => ((diagnostics += typeof s === 'string' ? s : Buffer.from(s).toString()), true) };
  const { error } = await asc.main(
    [paths.entry, '--config', paths.asconfig, '--target', debug ? 'debug' : 'release', '--outFile', outFile, '--noColors', '--transform', CALLBACKS_TRANSFORM],
    { stdout: sink as never, stderr: sink as never },
  );
  if (error === null || error === undefined) return null;
  return diagnostics.trim().length > 0 ? diagnostics.trimEnd() : error.message;
}

/** Check a module the way the gateway does at load; the problems (naming each import), or null. */
export function validateModule(wasm: Uint8Array): string | null {
  try {
    prepareModuleSync({ wasm, memoryPages: DEFAULT_WASM_LIMITS.memoryPages, fuel: DEFAULT_WASM_LIMITS.fuelPerCallback });
    return null;
  } catch (err) {
    if (err instanceof ModuleCheckError) return `the gateway would refuse this module:\n${err.problems.map((p) => `  - ${p}`).join('\n')}`;
    return (err as Error).message;
  }
}

/** Compile and validate the plugin in `dir`. Never throws for a bad plugin: the result says why. */
export async function buildPlugin(dir: string, options: BuildOptions = {}): Promise<BuildResult> {
  let paths: PluginPaths;
  try {
    paths = pluginPaths(dir);
  } catch (err) {
    return { ok: false, name: dir, stage: 'setup', diagnostics: (err as Error).message };
  }
  const { name } = paths;
  const problem = setupProblem(paths);
  if (problem !== null) return { ok: false, name, stage: 'setup', diagnostics: problem };

  const debug = options.debug === true;
  const outFile = resolve(options.out ?? (debug ? paths.defaultOut.replace(/\.wasm$/, '.debug.wasm') : paths.defaultOut));
  const tmp = `${outFile}.${process.pid}.tmp`;
  await mkdir(dirname(outFile), { recursive: true });
  try {
    const compileError = await runAsc(paths, tmp, debug);
    if (compileError !== null) return { ok: false, name, stage: 'compile', diagnostics: compileError };
    const wasm = new Uint8Array(await readFile(tmp));
    const invalid = validateModule(wasm);
    if (invalid !== null) return { ok: false, name, stage: 'validate', diagnostics: invalid };
    await rename(tmp, outFile);
    return { ok: true, name, outFile, wasm };
  } finally {
    await rm(tmp, { force: true });
  }
}

/** True when `outFile` is newer than every input of a build of `dir`. */
export async function isBuildFresh(dir: string, outFile: string): Promise<boolean> {
  return isUpToDate(outFile, await buildInputs(pluginPaths(dir)));
}

/**
 * The plugin's release wasm, rebuilt only when a source is newer than `build/<name>.wasm`:
 * what a plugin's vitest file calls in `beforeAll`. Throws with asc's diagnostics on failure.
 */
export async function ensurePluginBuilt(dir: string): Promise<Uint8Array> {
  const paths = pluginPaths(dir);
  if (await isBuildFresh(dir, paths.defaultOut)) return new Uint8Array(await readFile(paths.defaultOut));
  const r = await buildPlugin(dir);
  if (!r.ok) throw new Error(`plugin ${r.name}: ${r.stage} failed\n${r.diagnostics}`);
  return r.wasm;
}
