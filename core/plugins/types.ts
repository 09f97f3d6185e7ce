/**
 * The compiled form of plugins: part of the main -> worker contract (CompiledConfig.plugins),
 * plain data only. Built once per config version by core/plugins/compile.ts; each worker
 * turns it into live handlers and per-route chains once per version (chain.ts).
 *
 *   instances[]   one per enabled plugin entity: its name and compiled config
 *   chains[r]     route r's steps in run order (Kong priority, high first), one step per
 *                 plugin name: the instance that applies without a consumer, and the ones
 *                 that apply to particular consumers (Kong's consumer-scoped precedence)
 *   noRoute       global plugins, for requests that match no route (response + log only)
 */

/** A consumer as plugins and logs see it. */
export interface CompiledConsumer {
  id: string;
  username: string | null;
  customId: string | null;
}

export interface CompiledPluginInstance {
  /** Plugin name (the handler module to use). */
  name: string;
  /** Plugin entity id (logs, metrics, errors). */
  id: string;
  /** What the definition's compile step returned. */
  config: unknown;
  /** The entity's `protocols`: whether it runs on the plain and on the TLS listener. */
  onHttp: boolean;
  onHttps: boolean;
  /** Scoped to no route, service or consumer (Kong runs only these in `rewrite`). */
  global: boolean;
}

export interface CompiledStep {
  name: string;
  /** Index into instances when no consumer-specific instance applies; -1: none (the step is skipped). */
  instance: number;
  /** [consumer index, instance index] pairs, or null when no consumer-scoped entity applies. */
  byConsumer: [number, number][] | null;
}

export interface CompiledChain {
  /** In run order: descending priority, ties by name (as Kong sorts). */
  steps: CompiledStep[];
}

export interface CompiledPlugins {
  consumers: CompiledConsumer[];
  instances: CompiledPluginInstance[];
  /** Per plugin name with a `shared` step: its plugin-wide data. */
  shared: Record<string, unknown>;
  /** Indexed like CompiledConfig.routes; null = the route runs no plugin (no cost). */
  chains: (CompiledChain | null)[];
  /** Global plugins for requests no route matched, or null. */
  noRoute: CompiledChain | null;
}

export const NO_PLUGINS: CompiledPlugins = { consumers: [], instances: [], shared: {}, chains: [], noRoute: null };
