/**
 * `gatehouse check FILE`: load and validate a config without starting anything.
 * Every error goes to stderr as `path: message`, one per line, and the exit code is 1;
 * a valid file prints one summary line to stdout and exits 0. Usage errors exit 2.
 */
import { loadConfig } from '../../core/config/load.js';
import type { NormalizedConfig } from '../../core/config/types.js';

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

export async function runCheck(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const files = argv.filter((a) => a !== '--');
  const file = files[0];
  if (files.length !== 1 || file === undefined || file.startsWith('-')) {
    err.write('usage: gatehouse check FILE\n');
    return 2;
  }
  const result = await loadConfig(file);
  if (!result.ok) {
    for (const e of result.errors) err.write(`${e.path === '' ? file : e.path}: ${e.message}\n`);
    return 1;
  }
  out.write(`${file}: OK (${summarize(result.config)})\n`);
  return 0;
}
