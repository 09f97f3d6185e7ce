/**
 * Generates the Lua script wrk runs: request method, headers and body, and a `done` hook
 * that prints exact percentiles (wrk's --latency table has no p99.9) as lines
 * `GH_LATENCY <percentile> <µs>` that wrk-parse.ts reads.
 */
import type { LoadJob } from './types.js';

/** A Lua string literal for any text: printable ASCII kept, every other byte as \ddd. */
export function luaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString().padStart(3, '0')}`;
  }
  return `${out}"`;
}

export const WRK_PERCENTILES = [50, 90, 99, 99.9] as const;

export function wrkScript(job: Pick<LoadJob, 'method' | 'headers' | 'body'>): string {
  const lines = [`wrk.method = ${luaString(job.method)}`];
  for (const [name, value] of Object.entries(job.headers)) {
    lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  }
  if (job.body !== null) lines.push(`wrk.body = ${luaString(job.body)}`);
  lines.push(
    'done = function(summary, latency, requests)',
    `  for _, p in ipairs({ ${WRK_PERCENTILES.join(', ')} }) do`,
    '    io.write(string.format("GH_LATENCY %g %f\\n", p, latency:percentile(p)))',
    '  end',
    '  io.write(string.format("GH_LATENCY max %f\\n", latency.max))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}
