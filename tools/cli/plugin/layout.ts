/**
 * Where things are for the plugin tooling: the Gatehouse checkout (SDK, template, root
 * asconfig.json), a plugin folder's entry, manifest and output, and the files whose change
 * makes a build stale. Works from the TypeScript sources and from `dist/` alike: the root
 * is found by walking up to the folder that holds `sdk/assembly/index.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** kebab-case: lower-case letters and digits in dash-separated words, starting with a letter. */
const PLUGIN_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 64;

let cachedRoot: string | null = null;

/** The Gatehouse checkout this module belongs to. */
export function gatehouseRoot(): string {
  if (cachedRoot !== null) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'sdk/assembly/index.ts')) && existsSync(join(dir, 'package.json'))) {
      cachedRoot = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the Gatehouse checkout (no sdk/assembly/index.ts above this module)');
    dir = up;
  }
}

/** Why `name` is not a valid plugin name, or null when it is. */
export function pluginNameProblem(name: string): string | null {
  if (name.length === 0) return 'a plugin name is required';
  if (name.length > MAX_NAME_LENGTH) return `plugin name "${name}" is longer than ${MAX_NAME_LENGTH} characters`;
  if (!PLUGIN_NAME.test(name)) {
    return `invalid plugin name "${name}": use kebab-case (lower-case letters, digits and single dashes, starting with a letter), e.g. "add-header"`;
  }
  return null;
}

/** True when `path` is `root` or inside it. */
export function isInside(path: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** A relative import specifier (always starting with `./` or `../`, forward slashes). */
export function importPath(fromDir: string, target: string): string {
  const rel = relative(fromDir, target).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export interface PluginManifest {
  readonly name: string;
  readonly version?: string;
  readonly priority?: number;
  readonly phases?: readonly string[];
  readonly on_error?: string;
}

/** The plugin's manifest (plugin.json), or a name-only one from the folder name when absent. */
export function readManifest(dir: string): PluginManifest {
  const file = join(dir, 'plugin.json');
  if (!existsSync(file)) return { name: basename(resolve(dir)) };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const name = (json as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || pluginNameProblem(name) !== null) {
    throw new Error(`${file}: "name" must be a kebab-case string`);
  }
  return json as PluginManifest;
}

export interface PluginPaths {
  readonly dir: string;
  readonly name: string;
  /** assembly/index.ts */
  readonly entry: string;
  /** The plugin's own asconfig.json, or the root one when it has none. */
  readonly asconfig: string;
  /** build/<name>.wasm */
  readonly defaultOut: string;
}

export function pluginPaths(dir: string): PluginPaths {
  const abs = resolve(dir);
  const { name } = readManifest(abs);
  const own = join(abs, 'asconfig.json');
  return {
    dir: abs,
    name,
    entry: join(abs, 'assembly/index.ts'),
    asconfig: existsSync(own) ? own : join(gatehouseRoot(), 'asconfig.json'),
    defaultOut: join(abs, 'build', `${name}.wasm`),
  };
}

async function listFiles(dir: string, skip: ReadonlySet<string>, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (skip.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await listFiles(p, skip, out);
    else if (e.isFile()) out.push(p);
  }
}

const NOT_SOURCES = new Set(['build', 'test', 'node_modules', '.git']);

/**
 * Every file a build of `dir` depends on: the plugin folder (minus build/, test/), the SDK
 * sources and the asconfig files. A build is stale when any of them is newer than the output.
 */
export async function buildInputs(paths: PluginPaths): Promise<string[]> {
  const root = gatehouseRoot();
  const files: string[] = [];
  await listFiles(paths.dir, NOT_SOURCES, files);
  await listFiles(join(root, 'sdk/assembly'), NOT_SOURCES, files);
  files.push(join(root, 'asconfig.json'), paths.asconfig);
  return [...new Set(files)];
}

/** True when `output` exists and is at least as new as every input (missing inputs are ignored). */
export async function isUpToDate(output: string, inputs: readonly string[]): Promise<boolean> {
  let outTime: number;
  try {
    outTime = (await stat(output)).mtimeMs;
  } catch {
    return false;
  }
  for (const f of inputs) {
    try {
      if ((await stat(f)).mtimeMs > outTime) return false;
    } catch {
      // a vanished input cannot make the output stale
    }
  }
  return true;
}
