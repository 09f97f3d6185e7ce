/**
 * Shared pieces of the per-plugin suites (test/integration/plugins/<name>/):
 *
 *   compilePlugin   the plugin's config through stage 1 and 2 in-process: its compiled
 *                   config (Kong's defaults filled in) or the config errors with paths
 *   startPluginRig  an echo upstream and a gateway (2 workers) with one service and
 *                   route `/` carrying the given plugins (and any extra config)
 */
import { stringify } from 'yaml';
import { validateConfig } from '../../core/config/validate.js';
import type { ConfigError } from '../../core/config/types.js';
import { compilePlugins } from '../../core/plugins/compile.js';
import { startGateway, type Gateway, type GatewayOptions } from './gateway.js';
import { startUpstream, type Handler, type TestUpstream } from './upstream.js';

export interface PluginEntry {
  name: string;
  config?: Record<string, unknown>;
  [field: string]: unknown;
}

export type CompileOutcome = { ok: true; config: unknown } | { ok: false; errors: ConfigError[] };

/** One plugin on one route, compiled: its compiled config, or every error. */
export function compilePlugin(plugin: PluginEntry, extra: Record<string, unknown> = {}): CompileOutcome {
  const doc = {
    _format_version: '3.0',
    services: [{ name: 'svc', url: 'http://127.0.0.1:9', routes: [{ name: 'r', paths: ['/'], plugins: [plugin] }] }],
    ...extra,
  };
  const stage1 = validateConfig(doc);
  if (!stage1.ok) return { ok: false, errors: stage1.errors };
  const out = compilePlugins(stage1.config, stage1.config.routes);
  if (out.errors.length > 0) return { ok: false, errors: out.errors };
  const instance = out.plugins.instances.find((i) => i.name === plugin.name);
  return { ok: true, config: instance?.config };
}

/** The compiled config, failing the test with the errors when there are any. */
export function compiledConfig<T>(plugin: PluginEntry, extra: Record<string, unknown> = {}): T {
  const r = compilePlugin(plugin, extra);
  if (!r.ok) throw new Error(`unexpected config errors: ${JSON.stringify(r.errors)}`);
  return r.config as T;
}

/** The errors (path: message lines), failing the test when the config compiles. */
export function configErrors(plugin: PluginEntry, extra: Record<string, unknown> = {}): string[] {
  const r = compilePlugin(plugin, extra);
  if (r.ok) throw new Error('expected config errors, the config compiled');
  return r.errors.map((e) => `${e.path}: ${e.message}`);
}

export interface PluginRig {
  readonly gateway: Gateway;
  readonly upstream: TestUpstream;
  /** The gateway's URL for `path`. */
  url(path?: string): string;
  close(): Promise<void>;
}

export interface RigOptions extends GatewayOptions {
  /** Top-level config added to the document (consumers, more services, global plugins). */
  extra?: Record<string, unknown>;
  /** Route fields besides name/paths/plugins. */
  route?: Record<string, unknown>;
  handler?: Handler;
}

export function startPluginRig(plugins: PluginEntry[], options: RigOptions = {}): Promise<PluginRig> {
  return startRoutesRig([{ name: 'r', path: '/', plugins }], options);
}

export interface RigRoute {
  name: string;
  /** The route's path prefix (e.g. `/down`). */
  path: string;
  plugins: PluginEntry[];
}

/** Like startPluginRig, with several routes (each its own plugins) on the one service. */
export async function startRoutesRig(routes: RigRoute[], options: RigOptions = {}): Promise<PluginRig> {
  const upstream = await startUpstream(options.handler);
  const doc = {
    _format_version: '3.0',
    services: [{ name: 'svc', url: upstream.url, routes: routes.map((r) => ({ name: r.name, paths: [r.path], ...options.route, plugins: r.plugins })) }],
    ...options.extra,
  };
  let gateway: Gateway;
  try {
    gateway = await startGateway(stringify(doc), { workers: 2, ...options });
  } catch (err) {
    await upstream.close();
    throw err;
  }
  return {
    gateway,
    upstream,
    url: (path = '/') => `${gateway.url}${path}`,
    close: async () => {
      await gateway.stop();
      await upstream.close();
    },
  };
}

/** The admin /metrics samples of `name` whose labels include `labels`, summed. */
export async function metricValue(rig: PluginRig, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${rig.gateway.adminUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.startsWith(`${name}{`) ? line.slice(name.length + 1, line.lastIndexOf('}')) : '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
