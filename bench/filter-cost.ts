/**
 * The "Variant cost" table of a scenario with gateway variants (wasm-cost's WASM filters,
 * plugin-cost's plugins, small-get-log's access log): what each variant loses against the
 * baseline `gatehouse` (no filter, no plugin, access log off) measured in the same run.
 *
 * Costs come from paired rounds. Rounds interleave the targets (each round starting one
 * target later), so round i of a variant and round i of the baseline ran minutes apart at
 * most; the machine drifts between rounds (±5-10 % on the bench VM) far more than within
 * one, so each pair gives its own cost and the table shows their median and min..max.
 *
 * Two measures of the same thing, a gateway that is CPU-bound at max load:
 *   rps cost  1 - variant rps / baseline rps
 *   cpu cost  1 - baseline CPU per request / variant CPU per request (the gateway
 *             process's own CPU time, so another process taking turns on the core, such
 *             as an idle gateway's garbage collection, does not count against a variant)
 * The verdict compares the cpu cost's median with the variant's goal (`maxCostPct`), or
 * the rps cost's when the run has no CPU figures.
 */
import type { BenchResult, Measurement } from './results.js';
import { findScenario } from './scenarios/index.js';
import { BASELINE_GATEWAY, variantOf, variantTarget } from './targets/gateways.js';

export const FILTER_COST_HEADER = [
  'scenario', 'variant', 'rps (mean)', 'rps cost', 'rps cost range', 'cpu us/req', 'cpu cost', 'cpu cost range', 'rounds', 'goal', 'verdict',
] as const;

/** The cost of a variant in % over the paired rounds (positive = slower). */
export interface PairedCost {
  rounds: number;
  medianPct: number;
  meanPct: number;
  minPct: number;
  maxPct: number;
}

/** `rps`: higher is better (cost 1 - v/b). `cpu`: CPU per request, lower is better (cost 1 - b/v). */
export type CostMeasure = 'rps' | 'cpu';

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Pairs round i of the baseline with round i of the variant (as many pairs as both have;
 * a pair with a zero or missing figure is dropped). Null when no pair is left.
 */
export function pairedCost(baseRounds: readonly number[], variantRounds: readonly number[], measure: CostMeasure = 'rps'): PairedCost | null {
  const costs: number[] = [];
  const n = Math.min(baseRounds.length, variantRounds.length);
  for (let i = 0; i < n; i++) {
    const base = baseRounds[i] ?? 0;
    const variant = variantRounds[i] ?? Number.NaN;
    if (!(base > 0) || !Number.isFinite(base) || !Number.isFinite(variant)) continue;
    if (measure === 'rps') costs.push((1 - variant / base) * 100);
    else if (variant > 0) costs.push((1 - base / variant) * 100);
  }
  if (costs.length === 0) return null;
  const sorted = [...costs].sort((a, b) => a - b);
  return {
    rounds: costs.length,
    medianPct: median(sorted),
    meanPct: costs.reduce((sum, c) => sum + c, 0) / costs.length,
    minPct: sorted[0] as number,
    maxPct: sorted[sorted.length - 1] as number,
  };
}

function formatRpsCell(rps: number): string {
  return Math.round(rps).toLocaleString('en-US');
}

function formatPct(pct: number): string {
  return `${pct.toFixed(1)}%`;
}

/** Failed answers (socket errors and non-2xx) over 1 % of the requests make a figure meaningless. */
function failures(m: Measurement): number {
  return m.errors + m.non2xx;
}

function healthy(m: Measurement): boolean {
  return m.requests > 0 && failures(m) <= 0.01 * m.requests;
}

type Row = readonly string[];

/**
 * The variants of `scenario`: the scenario's own list (so a variant that failed to start
 * still gets its row) followed by any other `gatehouse+` target measured in the result.
 */
function variantNames(result: BenchResult, scenario: string): string[] {
  const names = (findScenario(scenario)?.variants ?? []).map((v) => v.name);
  for (const m of result.measurements) {
    const name = m.scenario === scenario && m.mode === 'max' ? variantOf(m.target) : null;
    if (name !== null && !names.includes(name)) names.push(name);
  }
  return names;
}

function meanOf(values: readonly number[] | undefined): string {
  if (values === undefined || values.length === 0) return '-';
  return (values.reduce((sum, v) => sum + v, 0) / values.length).toFixed(2);
}

function costCells(cost: PairedCost | null): [string, string] {
  return cost === null ? ['-', '-'] : [formatPct(cost.medianPct), `${formatPct(cost.minPct)} .. ${formatPct(cost.maxPct)}`];
}

function variantRow(scenario: string, name: string, base: Measurement | undefined, m: Measurement | undefined, goal: number | undefined): Row {
  const goalCell = goal === undefined ? '-' : `< ${goal}%`;
  if (m === undefined) return [scenario, name, 'not measured', '-', '-', '-', '-', '-', '-', goalCell, 'n/a'];
  const rpsCell = formatRpsCell(m.rps);
  const cpuCell = meanOf(m.roundCpuUs);
  if (base !== undefined && !healthy(base)) return [scenario, name, rpsCell, 'baseline failed', '-', cpuCell, '-', '-', '-', goalCell, 'n/a'];
  const rps = base === undefined ? null : pairedCost(base.roundRps ?? [], m.roundRps ?? [], 'rps');
  const cpu = base === undefined ? null : pairedCost(base.roundCpuUs ?? [], m.roundCpuUs ?? [], 'cpu');
  const judged = cpu ?? rps;
  if (judged === null) return [scenario, name, rpsCell, '-', '-', cpuCell, '-', '-', '-', goalCell, 'n/a'];
  const failed = !healthy(m);
  const [rpsCost, rpsRange] = costCells(rps);
  const [cpuCost, cpuRange] = costCells(cpu);
  const failedNote = failures(m) > 0 ? ` (${failures(m)} failed)` : '';
  // A variant whose answers fail (a fail-closed filter's fast 500s) has no cost to quote: it missed.
  const verdict = goal === undefined ? 'n/a' : !failed && judged.medianPct < goal ? 'met' : 'MISSED';
  return [scenario, name, rpsCell, `${rpsCost}${failedNote}`, rpsRange, cpuCell, cpuCost, cpuRange, String(judged.rounds), goalCell, verdict];
}

/** One baseline row and one row per variant, for every scenario of the run with variants. */
export function filterCostRows(result: BenchResult): Row[] {
  const rows: Row[] = [];
  const scenarios = [...new Set(result.measurements.map((m) => m.scenario))];
  for (const scenario of scenarios) {
    const names = variantNames(result, scenario);
    if (names.length === 0) continue;
    const pick = (target: string): Measurement | undefined =>
      result.measurements.find((m) => m.scenario === scenario && m.mode === 'max' && m.target === target);
    const base = pick(BASELINE_GATEWAY);
    const baseCell = base === undefined ? 'not measured' : formatRpsCell(base.rps);
    rows.push([scenario, 'none', baseCell, 'baseline', '-', meanOf(base?.roundCpuUs), 'baseline', '-', base === undefined ? '-' : String(base.roundRps?.length ?? 0), '-', '-']);
    const goals = findScenario(scenario)?.variants ?? [];
    for (const name of names) {
      const goal = goals.find((v) => v.name === name)?.maxCostPct;
      rows.push(variantRow(scenario, name, base, pick(variantTarget(name)), goal));
    }
  }
  return rows;
}

/** What the table's figures are, printed above it. */
export const FILTER_COST_NOTE =
  'per pair of rounds (round i of the variant and of the baseline gatehouse: no filter, access log off): rps cost = 1 - variant rps / baseline rps; cpu cost = 1 - baseline / variant CPU per request of the gateway process (the throughput lost at equal CPU); cost columns = median of the pairs, range = min..max; cpu us/req = mean; verdict = the cpu cost (the rps cost without CPU figures) against the goal, and MISSED when over 1% of the variant\'s answers failed.';
