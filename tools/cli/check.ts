/**
 * `gatehouse check FILE [--wasm-filters-path DIR]`: load, validate, prepare every WASM
 * filter the config names (imports allowlist, instrumentation, a trial start with its
 * configuration) and compile, without starting anything.
 * Every error goes to stderr as `path: message`, one per line, and the exit code is 1;
 * a valid file prints one summary line to stdout and exits 0. Usage errors exit 2.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../core/config/load.js';
import type { NormalizedConfig } from '../../core/config/types.js';
import { buildFromNormalized } from '../../core/supervisor/reload.js';
import { FilterPreparer } from '../../core/supervisor/wasm-filters.js';

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

export function summarize(config: NormalizedConfig): string {
  const targets = config.upstreams.reduce((sum, u) => sum + u.targets.length, 0);
  return [
    count(config.services.length, 'service'),
    count(config.routes.length, 'route'),
    count(config.upstreams.length, 'upstream'),
    count(targets, 'target'),
    count(config.consumers.length, 'consumer'),
    count(config.plugins.length, 'plugin'),
  ].join(', ');
}

export async function runCheck(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { 'wasm-filters-path': { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (e) {
    err.write(`${e instanceof Error ? e.message : String(e)}\nusage: gatehouse check FILE [--wasm-filters-path DIR]\n`);
    return 2;
  }
  const files = parsed.positionals;
  const file = files[0];
  if (files.length !== 1 || file === undefined) {
    err.write('usage: gatehouse check FILE [--wasm-filters-path DIR]\n');
    return 2;
  }
  const result = await loadConfig(file);
  if (!result.ok) {
    for (const e of result.errors) err.write(`${e.path === '' ? file : e.path}: ${e.message}\n`);
    return 1;
  }
  const filtersPath = parsed.values['wasm-filters-path'] ?? env['GATEHOUSE_WASM_FILTERS_PATH'] ?? null;
  const filters = new FilterPreparer({ dir: filtersPath === '' ? null : filtersPath, inThread: true });
  const built = await buildFromNormalized(result.config, 1, filters);
  await filters.close();
  if (!built.ok) {
    for (const e of built.errors) err.write(`${e.path === '' ? file : e.path}: ${e.message}\n`);
    return 1;
  }
  out.write(`${file}: OK (${summarize(result.config)})\n`);
  return 0;
}
