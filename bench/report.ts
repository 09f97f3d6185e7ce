/**
 * Turns a BenchResult into what people read: an aligned table on stdout, a markdown file
 * and the raw JSON under bench/results/<iso-timestamp>.{json,md}.
 *
 * Ratios compare throughput at max load: `ratio vs direct` is target rps / direct rps for
 * the same scenario and driver (1.00 = no overhead); `ratio vs nginx` is target rps /
 * nginx rps (above 1 = faster than nginx). The fixed-rate table reports the latency the
 * proxy adds at the same offered load: target p99 minus direct p99.
 *
 * AI scenarios compare against Portkey instead of nginx: a `ratio vs portkey` column
 * appears when a run measured Portkey, a low-load probe table (time to first token, or
 * to the answer when not streamed) when it probed, and an
 * `AI targets` table checks the figures against the goals of the AI gateway (overhead
 * under 1 ms p99, TTFT overhead under 1 ms, at least 3x Portkey's throughput).
 *
 * Scenarios with gateway variants (wasm-cost, plugin-cost, small-get-log) get a `Variant
 * cost` table: each variant's cost against the baseline gatehouse (no filter, no plugin,
 * access log off) from paired rounds (filter-cost.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { FILTER_COST_HEADER, FILTER_COST_NOTE, filterCostRows } from './filter-cost.js';
import type { BenchResult, MachineInfo, Measurement, TtftMeasurement } from './results.js';
import { findScenario } from './scenarios/index.js';

export function machineInfo(commandLine: string, pinning: string): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    commandLine,
    pinning,
  };
}

/** µs -> "512us" / "1.23ms" / "2.50s". */
export function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return '-';
  if (us < 1000) return `${Math.round(us)}us`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(2)}ms`;
  return `${(us / 1_000_000).toFixed(2)}s`;
}

/** Signed µs difference -> "+120us" / "-1.50ms". */
export function formatDeltaMicros(us: number): string {
  if (!Number.isFinite(us)) return '-';
  return `${us < 0 ? '-' : '+'}${formatMicros(Math.abs(us))}`;
}

export function formatRps(rps: number): string {
  return Math.round(rps).toLocaleString('en-US');
}

function formatRatio(value: number, base: number | undefined): string {
  return base === undefined || base === 0 ? '-' : (value / base).toFixed(2);
}

type Row = readonly string[];

const MAX_HEADER: Row = ['scenario', 'target', 'driver', 'rps', 'MB/s', 'p50', 'p99', 'p99.9', 'errors', 'ratio vs direct', 'ratio vs nginx'];
const TTFT_HEADER: Row = ['scenario', 'target', 'probes', 'mock ttft', 'p50', 'p99', 'max', 'errors', 'added p50 vs direct', 'added p99 vs direct'];
const TARGET_HEADER: Row = ['scenario', 'goal', 'measured', 'verdict'];

/** Goals of the AI gateway (issue 5), checked by aiTargetRows. */
export const AI_GOALS = { addedP99Us: 1000, ttftAddedUs: 1000, portkeyRatio: 3 } as const;

function hasPortkey(result: BenchResult): boolean {
  return result.measurements.some((m) => m.target === 'portkey');
}

/** The max-load header: `ratio vs portkey` only in runs that measured Portkey. */
export function maxLoadHeader(result: BenchResult): Row {
  return hasPortkey(result) ? [...MAX_HEADER, 'ratio vs portkey'] : MAX_HEADER;
}
const FRACTION_HEADER: Row = ['scenario', 'target', 'offered rps', 'achieved rps', 'p50', 'p99', 'p99.9', 'errors', 'added p99 vs direct'];

function find(result: BenchResult, m: Measurement, target: string): Measurement | undefined {
  return result.measurements.find(
    (o) => o.scenario === m.scenario && o.driver === m.driver && o.mode === m.mode && o.target === target,
  );
}

function errorsOf(m: Measurement): string {
  return m.non2xx === 0 ? String(m.errors) : `${m.errors} (+${m.non2xx} non-2xx)`;
}

export function maxLoadRows(result: BenchResult): Row[] {
  const portkey = hasPortkey(result);
  const rows: Row[] = result.measurements
    .filter((m) => m.mode === 'max')
    .map((m) => [
      m.scenario,
      m.target,
      m.driver,
      formatRps(m.rps),
      (m.bytesPerSec / 1e6).toFixed(1),
      formatMicros(m.latency.p50),
      formatMicros(m.latency.p99),
      formatMicros(m.latency.p999),
      errorsOf(m),
      formatRatio(m.rps, find(result, m, 'direct')?.rps),
      formatRatio(m.rps, find(result, m, 'nginx')?.rps),
      ...(portkey ? [formatRatio(m.rps, find(result, m, 'portkey')?.rps)] : []),
    ]);
  for (const s of result.skipped) {
    rows.push([s.scenario, s.target, result.options.driver, `skipped: ${s.reason}`, '', '', '', '', '', '', '', ...(portkey ? [''] : [])]);
  }
  return rows;
}

export function fractionRows(result: BenchResult): Row[] {
  return result.measurements
    .filter((m) => m.mode === 'fraction')
    .map((m) => {
      const direct = find(result, m, 'direct');
      const added = direct === undefined ? '-' : formatDeltaMicros(m.latency.p99 - direct.latency.p99);
      return [
        m.scenario,
        m.target,
        formatRps(m.offeredRps ?? 0),
        formatRps(m.rps),
        formatMicros(m.latency.p50),
        formatMicros(m.latency.p99),
        formatMicros(m.latency.p999),
        errorsOf(m),
        m.target === 'direct' ? '-' : added,
      ];
    });
}

function ttftOf(result: BenchResult, t: TtftMeasurement, target: string): TtftMeasurement | undefined {
  return result.ttft?.find((o) => o.scenario === t.scenario && o.target === target);
}

export function ttftRows(result: BenchResult): Row[] {
  return (result.ttft ?? []).map((t) => {
    const direct = ttftOf(result, t, 'direct');
    const added = (pick: (x: TtftMeasurement) => number): string =>
      t.target === 'direct' || direct === undefined ? '-' : formatDeltaMicros(pick(t) - pick(direct));
    return [
      t.scenario,
      t.target,
      `${t.requests} x${t.concurrency}`,
      `${t.mockTtftMs}ms`,
      formatMicros(t.latency.p50),
      formatMicros(t.latency.p99),
      formatMicros(t.latency.max),
      String(t.errors),
      added((x) => x.latency.p50),
      added((x) => x.latency.p99),
    ];
  });
}

function verdict(ok: boolean | null): string {
  return ok === null ? 'n/a' : ok ? 'met' : 'MISSED';
}

/** The AI goals for each AI scenario of the run that has the figures. */
export function aiTargetRows(result: BenchResult): Row[] {
  const rows: Row[] = [];
  const scenarios = new Set(result.measurements.filter((m) => findScenario(m.scenario)?.ai !== undefined).map((m) => m.scenario));
  for (const scenario of scenarios) {
    const pick = (target: string, mode: string): Measurement | undefined =>
      result.measurements.find((m) => m.scenario === scenario && m.target === target && m.mode === mode);
    const gwMax = pick('gatehouse', 'max');
    const pkMax = pick('portkey', 'max');
    if (gwMax !== undefined && pkMax !== undefined && pkMax.rps > 0) {
      const ratio = gwMax.rps / pkMax.rps;
      rows.push([scenario, `throughput >= ${AI_GOALS.portkeyRatio}x portkey`, `${ratio.toFixed(2)}x`, verdict(ratio >= AI_GOALS.portkeyRatio)]);
    }
    const gwFixed = pick('gatehouse', 'fraction');
    const directFixed = pick('direct', 'fraction');
    if (gwFixed !== undefined && directFixed !== undefined) {
      const added = gwFixed.latency.p99 - directFixed.latency.p99;
      const known = Number.isFinite(added);
      rows.push([scenario, `added p99 at fixed rate < ${formatMicros(AI_GOALS.addedP99Us)}`, formatDeltaMicros(added), verdict(known ? added < AI_GOALS.addedP99Us : null)]);
    }
    const gwProbe = result.ttft?.find((t) => t.scenario === scenario && t.target === 'gatehouse');
    const directProbe = result.ttft?.find((t) => t.scenario === scenario && t.target === 'direct');
    if (gwProbe !== undefined && directProbe !== undefined) {
      const added = gwProbe.latency.p99 - directProbe.latency.p99;
      const known = Number.isFinite(added) && gwProbe.errors === 0;
      const streamed = findScenario(scenario)?.ai?.stream === true;
      const goal = streamed ? `TTFT added p99 < ${formatMicros(AI_GOALS.ttftAddedUs)}` : `added p99 at low load (probe) < ${formatMicros(AI_GOALS.addedP99Us)}`;
      rows.push([scenario, goal, `${formatDeltaMicros(added)}${gwProbe.errors > 0 ? ` (${gwProbe.errors} probe errors)` : ''}`, verdict(known ? added < (streamed ? AI_GOALS.ttftAddedUs : AI_GOALS.addedP99Us) : gwProbe.errors > 0 ? false : null)]);
    }
  }
  return rows;
}

export function textTable(header: Row, rows: readonly Row[]): string {
  // Skipped rows put a long reason in one cell; keep it from widening the column.
  const measured = rows.filter((r) => !(r[3] ?? '').startsWith('skipped'));
  const widths = header.map((h, i) => Math.max(h.length, ...(i < 3 ? rows : measured).map((r) => (r[i] ?? '').length)));
  const line = (r: Row): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(header: Row, rows: readonly Row[]): string {
  const line = (r: Row): string => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

function machineLines(m: MachineInfo): string[] {
  return [
    `cpu: ${m.cpuModel} x ${m.cores}`,
    `node: ${m.node} (${m.platform})`,
    `pinning: ${m.pinning}`,
    `command: ${m.commandLine}`,
  ];
}

function notes(result: BenchResult): string[] {
  const sources = new Set(result.measurements.map((m) => m.percentileSource));
  const out = [`rounds: ${result.options.rounds} per target, interleaved; warm-up ${result.options.warmupS}s before each`];
  if (sources.has('driver-reported')) out.push('percentiles: wrk-reported, mean of rounds (no raw values to merge)');
  if (sources.has('hdr-merged')) out.push('percentiles: raw latencies of all rounds merged in one hdr histogram (2xx only)');
  return out;
}

export function formatText(result: BenchResult): string {
  const parts = [...machineLines(result.machine), ...notes(result), '', textTable(maxLoadHeader(result), maxLoadRows(result))];
  const fraction = fractionRows(result);
  if (fraction.length > 0) {
    parts.push('', `fixed-rate pass (${result.options.loadFraction} x the slowest target's max rps, autocannon):`);
    parts.push(textTable(FRACTION_HEADER, fraction));
  }
  const ttft = ttftRows(result);
  if (ttft.length > 0) {
    parts.push('', 'low-load probe: time to first token (streamed: request sent -> first SSE data bytes) or to the answer (not streamed: -> first body bytes); the mock waits `mock ttft` first:');
    parts.push(textTable(TTFT_HEADER, ttft));
  }
  const goals = aiTargetRows(result);
  if (goals.length > 0) parts.push('', 'AI targets:', textTable(TARGET_HEADER, goals));
  const cost = filterCostRows(result);
  if (cost.length > 0) parts.push('', 'Variant cost (WASM filters, plugins, access log):', FILTER_COST_NOTE, textTable(FILTER_COST_HEADER, cost));
  return `${parts.join('\n')}\n`;
}

export function formatMarkdown(result: BenchResult): string {
  const parts = [
    `# Gatehouse bench ${result.startedAt}`,
    '',
    ...machineLines(result.machine).map((l) => `- ${l}`),
    ...notes(result).map((l) => `- ${l}`),
    '',
    '## Max load',
    '',
    markdownTable(maxLoadHeader(result), maxLoadRows(result)),
  ];
  const fraction = fractionRows(result);
  if (fraction.length > 0) {
    parts.push('', `## Fixed rate (${result.options.loadFraction} x the slowest target's max rps)`, '');
    parts.push(markdownTable(FRACTION_HEADER, fraction));
  }
  const ttft = ttftRows(result);
  if (ttft.length > 0) {
    parts.push('', '## Low-load probe: time to first token / to the answer', '', 'Streamed: request sent to the first SSE `data:` bytes read (time to first token). Not streamed: to the first body bytes (the whole answer). The mock waits `mock ttft` before its first frame.', '');
    parts.push(markdownTable(TTFT_HEADER, ttft));
  }
  const goals = aiTargetRows(result);
  if (goals.length > 0) parts.push('', '## AI targets', '', markdownTable(TARGET_HEADER, goals));
  const cost = filterCostRows(result);
  if (cost.length > 0) parts.push('', '## Variant cost (WASM filters, plugins, access log)', '', FILTER_COST_NOTE, '', markdownTable(FILTER_COST_HEADER, cost));
  return `${parts.join('\n')}\n`;
}

/** Writes <dir>/<iso-timestamp>.json and .md; returns both paths. */
export async function writeResult(result: BenchResult, dir: string): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const stem = result.startedAt.replace(/:/g, '-');
  const json = join(dir, `${stem}.json`);
  const markdown = join(dir, `${stem}.md`);
  await writeFile(json, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(markdown, formatMarkdown(result));
  return { json, markdown };
}
