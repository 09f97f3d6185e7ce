/**
 * Which gatehouse targets a scenario measures: always `gatehouse` with the scenario's own
 * filters, plus one `gatehouse+<variant>` per variant of a filter-cost scenario. The
 * variants are routes of one gateway process, not processes of their own (see
 * scenarios/wasm-cost.ts): each target's requests go to its route's path prefix.
 */
import type { TargetName } from '../results.js';
import type { Scenario } from '../scenarios/types.js';
import type { BenchFilter, BenchPlugin } from './gatehouse-config.js';

export interface GatewaySpec {
  readonly target: TargetName;
  readonly filters: readonly BenchFilter[];
  readonly plugins: readonly BenchPlugin[];
  /** Measured with the access log on (scenarios/types.ts GatewayVariant.accessLog). */
  readonly accessLog?: true;
}

/** The baseline gateway of a filter-cost scenario: the variants' costs are measured against it. */
export const BASELINE_GATEWAY = 'gatehouse' satisfies TargetName;

/** Variant names end up in target names, route names and paths: keep them plain. */
const VARIANT_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The baseline's route in a filter-cost gateway (so no variant may take the name). */
const BASELINE_ROUTE = 'none';

export function variantTarget(variant: string): TargetName {
  return `gatehouse+${variant}`;
}

/** The variant name of a `gatehouse+<variant>` target, or null for any other target. */
export function variantOf(target: string): string | null {
  return target.startsWith('gatehouse+') ? target.slice('gatehouse+'.length) : null;
}

/** The gateways to start for `s`, baseline first; throws on a bad or repeated variant name. */
export function gatewayPlan(s: Scenario): GatewaySpec[] {
  const plan: GatewaySpec[] = [{ target: BASELINE_GATEWAY, filters: s.filters ?? [], plugins: [] }];
  for (const v of s.variants ?? []) {
    if (!VARIANT_NAME.test(v.name)) throw new Error(`scenario ${s.name}: variant name ${JSON.stringify(v.name)} must match ${String(VARIANT_NAME)}`);
    if (v.name === BASELINE_ROUTE) throw new Error(`scenario ${s.name}: variant name ${BASELINE_ROUTE} is the baseline's`);
    const target = variantTarget(v.name);
    if (plan.some((g) => g.target === target)) throw new Error(`scenario ${s.name}: variant ${v.name} is listed twice`);
    plan.push(v.accessLog === true ? { target, filters: v.filters ?? [], plugins: v.plugins ?? [], accessLog: true } : { target, filters: v.filters ?? [], plugins: v.plugins ?? [] });
  }
  return plan;
}

/**
 * The route of `target` in a filter-cost gateway: `none` for the baseline, the variant's
 * name for a variant. It is the route's name and its path prefix (`/<route>`).
 */
export function variantRoute(target: TargetName): string {
  return variantOf(target) ?? BASELINE_ROUTE;
}
