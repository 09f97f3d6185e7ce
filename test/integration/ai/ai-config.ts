/** Builds gateway configs with AI routes for the AI integration tests. */
import { stringify } from 'yaml';

export interface AiRouteSpec {
  name: string;
  path: string;
  plugins: { name: string; config: Record<string, unknown> }[];
}

export function aiConfig(routes: readonly AiRouteSpec[]): string {
  return stringify({
    _format_version: '3.0',
    routes: routes.map((r) => ({ name: r.name, paths: [r.path], plugins: r.plugins })),
  });
}

/** An ai-proxy target on a mock provider. */
export function target(provider: 'openai' | 'anthropic' | 'gemini', url: string, name: string, auth: Record<string, unknown> = {}): Record<string, unknown> {
  return { route_type: 'llm/v1/chat', model: { provider, name, options: { upstream_url: url } }, auth };
}

/** Sums one Prometheus counter's samples whose labels include all of `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const body = line.slice(name.length + 1, close);
    const ok = Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`));
    if (ok) sum += Number(line.slice(close + 1).trim());
  }
  return sum;
}
