/**
 * `gatehouse plugin new`: copy `sdk/template/` into a new plugin folder. Template files end
 * in `.tmpl` (so neither tsc, asc nor vitest picks the template itself up); `{{key}}`
 * placeholders are filled from a fixed table of values and `__name__` in file names becomes
 * the plugin name; a leading `_` becomes `.` (`_gitignore` -> `.gitignore`). The SDK, the
 * root asconfig.json and the harness are referenced by relative path from the new folder to
 * this checkout, so the scaffold builds and tests wherever it is created.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { gatehouseRoot, importPath, isInside, pluginNameProblem } from './layout.js';

export class ScaffoldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScaffoldError';
  }
}

/** Where `plugin new` puts a plugin when no --dir is given. */
export function defaultPluginsDir(cwd: string): string {
  const root = gatehouseRoot();
  return isInside(cwd, root) ? join(root, 'wasm-plugins') : cwd;
}

function pascalCase(name: string): string {
  return name
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function templateValues(name: string, target: string, cwd: string): Record<string, string> {
  const root = gatehouseRoot();
  return {
    name,
    className: pascalCase(name),
    metric: name.replace(/-/g, '_'),
    dir: relative(cwd, target) || '.',
    sdk: importPath(join(target, 'assembly'), join(root, 'sdk/assembly')),
    asconfig: importPath(target, join(root, 'asconfig.json')),
    harness: importPath(join(target, 'test'), join(root, 'sdk/harness/index.js')),
    builder: importPath(join(target, 'test'), join(root, 'tools/cli/plugin/build.js')),
  };
}

function fill(text: string, values: Readonly<Record<string, string>>, file: string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new ScaffoldError(`template ${file}: unknown placeholder {{${key}}}`);
    return v;
  });
}

function targetName(entry: string, name: string): string {
  const base = entry.replace(/\.tmpl$/, '').replace(/__name__/g, name);
  return base.startsWith('_') ? `.${base.slice(1)}` : base;
}

async function copyTemplate(from: string, to: string, values: Readonly<Record<string, string>>, written: string[]): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const e of await readdir(from, { withFileTypes: true })) {
    const src = join(from, e.name);
    const dst = join(to, targetName(e.name, values['name'] ?? ''));
    if (e.isDirectory()) {
      await copyTemplate(src, dst, values, written);
    } else {
      const text = await readFile(src, 'utf8');
      await writeFile(dst, e.name.endsWith('.tmpl') ? fill(text, values, src) : text, { flag: 'wx' });
      written.push(dst);
    }
  }
}

export interface ScaffoldResult {
  readonly dir: string;
  readonly files: readonly string[];
}

/** Create `<parent>/<name>/` from the template; throws ScaffoldError on a bad name or an existing folder. */
export async function scaffoldPlugin(name: string, parent: string, cwd: string = process.cwd()): Promise<ScaffoldResult> {
  const problem = pluginNameProblem(name);
  if (problem !== null) throw new ScaffoldError(problem);
  const target = resolve(cwd, parent, name);
  if (existsSync(target)) throw new ScaffoldError(`${target} already exists; choose another name or --dir`);
  const files: string[] = [];
  await copyTemplate(join(gatehouseRoot(), 'sdk/template'), target, templateValues(name, target, cwd), files);
  return { dir: target, files: files.sort() };
}
