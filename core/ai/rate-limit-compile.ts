/**
 * Compile side of ai-rate-limiting-advanced: checks beyond the schema (the gateway counts
 * in shared memory, so `strategy: redis` is refused; `limit` and `window_size` pair up by
 * position; `header`/`path` identifiers need their field). The per-route limits are
 * derived in rate-limit-route.ts.
 */
import type { ConfigError } from '../config/types.js';
import { joinPath } from '../config/schema-errors.js';

interface RawLimits {
  name: string;
  limit: number[];
  window_size: number[];
}

/** Errors of a schema-valid config, with `plugins[i].config.<field>` paths. */
export function checkRateLimit(config: Record<string, unknown>, path: string, errors: ConfigError[]): void {
  if (config['strategy'] === 'redis') {
    errors.push({ path: joinPath(path, 'strategy'), message: 'strategy: redis is not supported; use local (this gateway counts in shared memory across its workers)' });
  }
  const identifier = config['identifier'];
  if (identifier === 'header' && (typeof config['header_name'] !== 'string' || config['header_name'] === '')) {
    errors.push({ path: joinPath(path, 'header_name'), message: 'required when identifier is header' });
  }
  if (identifier === 'path' && (typeof config['path'] !== 'string' || config['path'] === '')) {
    errors.push({ path: joinPath(path, 'path'), message: 'required when identifier is path' });
  }
  const seen = new Set<string>();
  (config['llm_providers'] as RawLimits[]).forEach((p, i) => {
    const pp = `${joinPath(path, 'llm_providers')}[${i}]`;
    if (p.limit.length !== p.window_size.length) {
      errors.push({ path: joinPath(pp, 'window_size'), message: `must have as many entries as limit (${p.limit.length}), got ${p.window_size.length}` });
    }
    if (new Set(p.window_size).size !== p.window_size.length) errors.push({ path: joinPath(pp, 'window_size'), message: 'window sizes must be distinct' });
    if (seen.has(p.name)) errors.push({ path: joinPath(pp, 'name'), message: `provider ${p.name} is listed twice` });
    seen.add(p.name);
  });
}
