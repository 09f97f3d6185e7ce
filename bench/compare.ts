/**
 * Compares two bench result files: `node dist/bench/compare.js BASE.json HEAD.json
 * [--threshold PCT] [--metric rps|p99|both]`. Prints one line per matching measurement
 * and exits 1 when any regressed by more than the threshold: rps fell, or p99 rose.
 * Only measurements present in both files (same scenario, target, driver, mode) count.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { formatMicros, formatRps, textTable } from './report.js';
import type { BenchResult, Measurement } from './results.js';

export const COMPARE_METRICS = ['rps', 'p99', 'both'] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];

export interface Comparison {
  scenario: string;
  target: string;
  mode: string;
  metric: 'rps' | 'p99';
  base: number;
  head: number;
  /** Signed change in percent, positive = better (more rps, lower p99). */
  improvementPct: number;
  regressed: boolean;
}

function keyOf(m: Measurement): string {
  return `${m.scenario}\u0000${m.target}\u0000${m.driver}\u0000${m.mode}`;
}

export function compareResults(
  base: BenchResult,
  head: BenchResult,
  thresholdPct: number,
  metric: CompareMetric = 'both',
): Comparison[] {
  const baseByKey = new Map(base.measurements.map((m) => [keyOf(m), m]));
  const out: Comparison[] = [];
  for (const h of head.measurements) {
    const b = baseByKey.get(keyOf(h));
    if (b === undefined) continue;
    const common = { scenario: h.scenario, target: h.target, mode: h.mode };
    // In the fixed-rate pass the rps is the offered rate, so only latency is compared.
    if (metric !== 'p99' && h.mode === 'max' && b.rps > 0) {
      const pct = ((h.rps - b.rps) / b.rps) * 100;
      out.push({ ...common, metric: 'rps', base: b.rps, head: h.rps, improvementPct: pct, regressed: -pct > thresholdPct });
    }
    if (metric !== 'rps' && b.latency.p99 > 0) {
      const pct = ((b.latency.p99 - h.latency.p99) / b.latency.p99) * 100;
      out.push({ ...common, metric: 'p99', base: b.latency.p99, head: h.latency.p99, improvementPct: pct, regressed: -pct > thresholdPct });
    }
  }
  return out;
}

export function formatComparisons(rows: readonly Comparison[]): string {
  const show = (c: Comparison, v: number): string => (c.metric === 'rps' ? formatRps(v) : formatMicros(v));
  return textTable(
    ['scenario', 'target', 'mode', 'metric', 'base', 'head', 'change', 'verdict'],
    rows.map((c) => [
      c.scenario,
      c.target,
      c.mode,
      c.metric,
      show(c, c.base),
      show(c, c.head),
      `${c.improvementPct >= 0 ? '+' : ''}${c.improvementPct.toFixed(1)}% ${c.improvementPct >= 0 ? 'better' : 'worse'}`,
      c.regressed ? 'REGRESSED' : 'ok',
    ]),
  );
}

async function readResult(path: string): Promise<BenchResult> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as BenchResult;
  if (parsed.version !== 1 || !Array.isArray(parsed.measurements)) throw new Error(`${path} is not a bench result file`);
  return parsed;
}

const USAGE = 'usage: node dist/bench/compare.js BASE.json HEAD.json [--threshold PCT (default 5)] [--metric rps|p99|both]\n';

async function main(argv: readonly string[]): Promise<number> {
  const files: string[] = [];
  let threshold = 5;
  let metric: CompareMetric = 'both';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--threshold') {
      threshold = Number(argv[++i]);
      if (!(threshold >= 0)) throw new Error('--threshold needs a non-negative percentage');
    } else if (arg === '--metric') {
      const m = argv[++i] ?? '';
      if (!COMPARE_METRICS.includes(m as CompareMetric)) throw new Error(`--metric must be one of ${COMPARE_METRICS.join(', ')}`);
      metric = m as CompareMetric;
    } else files.push(arg);
  }
  const [basePath, headPath] = files;
  if (files.length !== 2 || basePath === undefined || headPath === undefined) throw new Error('need exactly two result files');
  const rows = compareResults(await readResult(basePath), await readResult(headPath), threshold, metric);
  if (rows.length === 0) throw new Error('the two files have no measurement in common');
  process.stdout.write(`${formatComparisons(rows)}\n`);
  const regressed = rows.filter((r) => r.regressed).length;
  process.stdout.write(regressed === 0 ? `no regression beyond ${threshold}%\n` : `${regressed} regression(s) beyond ${threshold}%\n`);
  return regressed === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`compare: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
      process.exit(2);
    },
  );
}
