/**
 * load -> validate -> prepare wasm filters -> compile, all or nothing. A config with any
 * error produces the full error list and no CompiledConfig, so the caller keeps serving
 * the old one (Kong's rebuild keeps the old router when the new one fails).
 */
import { loadConfig } from '../config/load.js';
import type { ConfigError, NormalizedConfig } from '../config/types.js';
import { compile, CompileErrors } from '../compile/index.js';
import type { CompiledConfig } from '../compile/types.js';
import type { FilterPreparer } from './wasm-filters.js';

export type BuildResult =
  | { ok: true; normalized: NormalizedConfig; compiled: CompiledConfig }
  | { ok: false; errors: ConfigError[] };

export async function buildFromNormalized(normalized: NormalizedConfig, version: number, filters: FilterPreparer): Promise<BuildResult> {
  const prepared = await filters.prepare(normalized);
  if (!prepared.ok) return prepared;
  try {
    return { ok: true, normalized, compiled: compile(normalized, version, prepared.prepared) };
  } catch (err) {
    if (err instanceof CompileErrors) return { ok: false, errors: [...err.errors] };
    return { ok: false, errors: [{ path: '', message: `compile failed: ${err instanceof Error ? err.message : String(err)}` }] };
  }
}

export async function buildFromFile(path: string, version: number, filters: FilterPreparer): Promise<BuildResult> {
  const loaded = await loadConfig(path);
  if (!loaded.ok) return loaded;
  return buildFromNormalized(loaded.config, version, filters);
}

export function formatConfigErrors(errors: readonly ConfigError[]): string[] {
  return errors.map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`));
}
