/**
 * Build every built-in plugin: each `wasm-plugins/<name>/` with a plugin.json becomes
 * `dist/wasm-filters/<name>.wasm`, the directory `--wasm-filters-path` points at. A plugin
 * whose output is newer than all its inputs (its folder minus test/ and build/, the SDK
 * sources, the asconfig files) is skipped. Runs after tsc in `npm run build`:
 *
 *   node dist/tools/build-plugins.js [--plugins DIR] [--out DIR] [--force]
 *
 * Exits 1 with asc's (or the load-time check's) diagnostics when any plugin fails.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildPlugin, isBuildFresh } from './cli/plugin/build.js';
import { gatehouseRoot, readManifest } from './cli/plugin/layout.js';

export interface BuildAllOptions {
  /** Folder holding one folder per plugin; default `<root>/wasm-plugins`. */
  readonly pluginsDir?: string;
  /** Output folder; default `<root>/dist/wasm-filters`. */
  readonly outDir?: string;
  /** Rebuild even when up to date. */
  readonly force?: boolean;
  readonly log?: (line: string) => void;
}

export interface BuildAllReport {
  readonly built: readonly string[];
  readonly skipped: readonly string[];
  readonly failed: readonly { readonly name: string; readonly diagnostics: string }[];
}

/** The plugin folders under `pluginsDir` (those with a plugin.json), sorted by folder name. */
export async function pluginFolders(pluginsDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(pluginsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() && existsSync(join(pluginsDir, e.name, 'plugin.json')))
    .map((e) => join(pluginsDir, e.name))
    .sort();
}

export async function buildAllPlugins(options: BuildAllOptions = {}): Promise<BuildAllReport> {
  const root = gatehouseRoot();
  const pluginsDir = resolve(options.pluginsDir ?? join(root, 'wasm-plugins'));
  const outDir = resolve(options.outDir ?? join(root, 'dist/wasm-filters'));
  const log = options.log ?? (() => {});
  const built: string[] = [];
  const skipped: string[] = [];
  const failed: { name: string; diagnostics: string }[] = [];
  for (const dir of await pluginFolders(pluginsDir)) {
    let name: string;
    try {
      name = readManifest(dir).name;
    } catch (err) {
      failed.push({ name: dir, diagnostics: (err as Error).message });
      continue;
    }
    const out = join(outDir, `${name}.wasm`);
    if (options.force !== true && (await isBuildFresh(dir, out))) {
      skipped.push(name);
      log(`up to date ${name}`);
      continue;
    }
    const r = await buildPlugin(dir, { out });
    if (r.ok) {
      built.push(name);
      log(`built ${name} -> ${out} (${r.wasm.byteLength} bytes)`);
    } else {
      failed.push({ name, diagnostics: `${r.stage} failed\n${r.diagnostics}` });
      log(`FAILED ${name}`);
    }
  }
  return { built, skipped, failed };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { plugins: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' } },
    strict: true,
  });
  const report = await buildAllPlugins({
    ...(values.plugins === undefined ? {} : { pluginsDir: values.plugins }),
    ...(values.out === undefined ? {} : { outDir: values.out }),
    force: values.force === true,
    log: (line) => process.stdout.write(`build-plugins: ${line}\n`),
  });
  for (const f of report.failed) process.stderr.write(`build-plugins: ${f.name}: ${f.diagnostics}\n`);
  process.stdout.write(
    `build-plugins: ${report.built.length} built, ${report.skipped.length} up to date, ${report.failed.length} failed\n`,
  );
  return report.failed.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`build-plugins: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
