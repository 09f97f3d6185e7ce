import { fileURLToPath } from 'node:url';
import { type GatewaySpec, variantRoute } from './gateways.js';

/** A WASM filter a scenario puts on the gateway's catch-all route. */
export interface BenchFilter {
  /** File name without `.wasm` in WASM_FILTERS_DIR (built by `npm run build`). */
  readonly name: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A Kong plugin a variant puts on its route. */
export interface BenchPlugin {
  readonly name: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

/** dist/wasm-filters, next to dist/bench/ once built: where `npm run build` puts the built-in plugins. */
export const WASM_FILTERS_DIR = fileURLToPath(new URL('../../wasm-filters/', import.meta.url));

/**
 * The Kong-format declarative config the gateway target runs: one service, one catch-all
 * route, and (for the wasm-* scenarios) a filter chain on that route.
 */
export function gatehouseConfig(upstreamPort: number, filters: readonly BenchFilter[] = []): string {
  const lines = [
    '_format_version: "3.0"',
    'services:',
    '  - name: echo',
    `    url: http://127.0.0.1:${upstreamPort}`,
    '    routes:',
    '      - name: all',
    '        paths: ["/"]',
    '        strip_path: false',
  ];
  if (filters.length > 0) lines.push('filter_chains:', ...filterChain('bench', 'all', filters));
  lines.push('');
  return lines.join('\n');
}

/** One `filter_chains` entry on `route`. */
function filterChain(name: string, route: string, filters: readonly BenchFilter[]): string[] {
  const lines = [`  - name: ${name}`, `    route: ${route}`, '    filters:'];
  for (const f of filters) {
    lines.push(`      - name: ${JSON.stringify(f.name)}`);
    if (f.config !== undefined) lines.push(`        config: ${JSON.stringify(f.config)}`);
  }
  return lines;
}

/**
 * The config of a filter-cost scenario's one gateway: a route per target of the plan
 * (`/none` for the baseline, `/<variant>` for each variant, the path kept), each variant's
 * route with its own filter chain. Every route has a prefix of its own, so the router does
 * the same work for each.
 */
export function gatehouseVariantsConfig(upstreamPort: number, plan: readonly GatewaySpec[], consumers: readonly Readonly<Record<string, unknown>>[] = []): string {
  const lines = ['_format_version: "3.0"', 'services:', '  - name: echo', `    url: http://127.0.0.1:${upstreamPort}`, '    routes:'];
  for (const g of plan) {
    const route = variantRoute(g.target);
    lines.push(`      - name: ${route}`, `        paths: ["/${route}"]`, '        strip_path: false');
  }
  const chains = plan.filter((g) => g.filters.length > 0).flatMap((g) => filterChain(`chain-${variantRoute(g.target)}`, variantRoute(g.target), g.filters));
  if (chains.length > 0) lines.push('filter_chains:', ...chains);
  const plugins = plan.flatMap((g) => g.plugins.map((p) => `  - ${JSON.stringify({ ...p, route: variantRoute(g.target) })}`));
  if (plugins.length > 0) lines.push('plugins:', ...plugins);
  if (consumers.length > 0) lines.push('consumers:', ...consumers.map((c) => `  - ${JSON.stringify(c)}`));
  lines.push('');
  return lines.join('\n');
}

/**
 * The config of the AI scenarios: two ai-proxy routes (llm/v1/chat, provider openai) on
 * the mock LLM. `/v1/chat/completions` goes to the mock's default path (upstream_url is
 * a bare origin); `/ttft/v1/chat/completions` is the time-to-first-token probe's route, to
 * the mock's delayed path (upstream_url is the full operation URL, as in Kong).
 */
export function gatehouseAiConfig(upstreamPort: number, model: string): string {
  const origin = `http://127.0.0.1:${upstreamPort}`;
  const route = (name: string, path: string, upstreamUrl: string): string[] => [
    `  - name: ${name}`,
    `    paths: [${JSON.stringify(path)}]`,
    '    plugins:',
    '      - name: ai-proxy',
    '        config:',
    '          route_type: llm/v1/chat',
    '          model:',
    '            provider: openai',
    `            name: ${JSON.stringify(model)}`,
    `            options: { upstream_url: ${JSON.stringify(upstreamUrl)} }`,
  ];
  return [
    '_format_version: "3.0"',
    'routes:',
    ...route('chat', '/v1/chat/completions', origin),
    ...route('ttft', '/ttft/v1/chat/completions', `${origin}/ttft/v1/chat/completions`),
    '',
  ].join('\n');
}

/** Extra `gatehouse start` flags a filter chain needs (the filters path), or none. */
export function gatehouseFilterArgs(filters: readonly BenchFilter[]): string[] {
  return filters.length === 0 ? [] : ['--wasm-filters-path', WASM_FILTERS_DIR];
}
