/** Parses `wrk --latency` output (plus our GH_LATENCY lines) into a RunSample. */
import type { Latency, RunSample } from '../results.js';

const TIME_UNITS: Readonly<Record<string, number>> = { us: 1, ms: 1_000, s: 1_000_000, m: 60_000_000 };
// wrk formats sizes with binary multiples (format_binary in units.c).
const SIZE_UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** "512.12us" / "1.20ms" / "2.00s" -> µs. */
export function parseWrkTime(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (m === null) throw new Error(`wrk: unreadable time "${text}"`);
  return Number(m[1]) * (TIME_UNITS[m[2] ?? ''] ?? Number.NaN);
}

/** "12.00MB" -> bytes. */
export function parseWrkSize(text: string): number {
  const m = /^([\d.]+)([KMGT]?B)$/.exec(text.trim());
  if (m === null) throw new Error(`wrk: unreadable size "${text}"`);
  return Number(m[1]) * (SIZE_UNITS[m[2] ?? ''] ?? Number.NaN);
}

function need(match: RegExpExecArray | null, what: string): RegExpExecArray {
  if (match === null) throw new Error(`wrk output has no ${what} line`);
  return match;
}

export function parseWrkOutput(text: string): RunSample {
  const total = need(/^\s*(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read/m.exec(text), 'requests');
  const requests = Number(total[1]);
  const durationS = parseWrkTime(total[2] ?? '') / 1e6;
  const rps = Number(need(/^Requests\/sec:\s+([\d.]+)/m.exec(text), 'Requests/sec')[1]);
  const bytesPerSec = parseWrkSize(need(/^Transfer\/sec:\s+(\S+)/m.exec(text), 'Transfer/sec')[1] ?? '');

  let errors = 0;
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  if (socket !== null) errors = socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0);
  const non2xxMatch = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const non2xx = non2xxMatch === null ? 0 : Number(non2xxMatch[1]);

  return { requests, durationS, rps, bytesPerSec, errors, non2xx, latency: parseLatency(text), histogram: null };
}

/** Prefers the exact GH_LATENCY lines; falls back to the --latency table (no p99.9 there). */
function parseLatency(text: string): Latency {
  const exact = new Map<string, number>();
  for (const m of text.matchAll(/^GH_LATENCY (\S+) ([\d.]+)$/gm)) exact.set(m[1] ?? '', Number(m[2]));
  const table = new Map<string, number>();
  for (const m of text.matchAll(/^\s+(\d+(?:\.\d+)?)%\s+([\d.]+(?:us|ms|s|m))\s*$/gm)) {
    table.set(m[1] ?? '', parseWrkTime(m[2] ?? ''));
  }
  const maxMatch = /^\s+Latency\s+\S+\s+\S+\s+(\S+)/m.exec(text);
  const pick = (key: string): number => exact.get(key) ?? table.get(key) ?? Number.NaN;
  return {
    p50: pick('50'),
    p90: pick('90'),
    p99: pick('99'),
    p999: pick('99.9'),
    max: exact.get('max') ?? (maxMatch === null ? Number.NaN : parseWrkTime(maxMatch[1] ?? '')),
  };
}
