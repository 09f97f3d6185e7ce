/**
 * Turns a BenchResult into what people read: an aligned table on stdout, a markdown file
 * and the raw JSON under bench/results/<iso-timestamp>.{json,md}.
 *
 * Ratios compare throughput at max load: `ratio vs direct` is target rps / direct rps for
 * the same scenario and driver (1.00 = no overhead); `ratio vs nginx` is target rps /
 * nginx rps (above 1 = faster than nginx). The fixed-rate table reports the latency the
 * proxy adds at the same offered load: target p99 minus direct p99.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BenchResult, MachineInfo, Measurement } from './results.js';

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
    ]);
  for (const s of result.skipped) {
    rows.push([s.scenario, s.target, result.options.driver, `skipped: ${s.reason}`, '', '', '', '', '', '', '']);
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
  const parts = [...machineLines(result.machine), ...notes(result), '', textTable(MAX_HEADER, maxLoadRows(result))];
  const fraction = fractionRows(result);
  if (fraction.length > 0) {
    parts.push('', `fixed-rate pass (${result.options.loadFraction} x the slowest target's max rps, autocannon):`);
    parts.push(textTable(FRACTION_HEADER, fraction));
  }
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
    markdownTable(MAX_HEADER, maxLoadRows(result)),
  ];
  const fraction = fractionRows(result);
  if (fraction.length > 0) {
    parts.push('', `## Fixed rate (${result.options.loadFraction} x the slowest target's max rps)`, '');
    parts.push(markdownTable(FRACTION_HEADER, fraction));
  }
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
