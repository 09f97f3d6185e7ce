/**
 * The compile side of the plugin contract: what a plugin folder's `definition.ts` exports.
 *
 *   core/plugins/<name>/
 *     schema.ts      its config schema (JSON Schema for ajv: Kong's field names, types and
 *                    defaults, a description per field)
 *     definition.ts  PluginDefinition: name, Kong priority, version, schema, compile step
 *     handler.ts     PluginHandlerModule (contract.ts): the phase handlers, worker side
 *     README entry + tests under test/integration/plugins/<name>/
 *
 * Stage 2 (core/plugins/compile.ts) validates each plugin entity's `config` against the
 * schema (defaults filled in), calls `compile` once per entity to get plain, frozen data,
 * and orders the chains of every route by `priority` (Kong's numbers: higher runs first).
 * Nothing here runs in a worker.
 */
import type { ConfigError, NormalizedConfig, NormalizedPlugin } from '../config/types.js';

/** JSON Schema (draft-07 subset ajv understands), with `default`s and `description`s. */
export type JsonSchema = Record<string, unknown>;

/** What a plugin's compile step gets besides its validated config. */
export interface PluginCompileContext {
  /** The whole normalized config (consumers, credentials, services, …). */
  readonly config: NormalizedConfig;
  /** The plugin entity being compiled. */
  readonly plugin: NormalizedPlugin;
  /** Where the entity is in the file (`services[0].routes[1].plugins[0]`): errors are reported under it. */
  readonly path: string;
  /** Reports a problem with `config.<field>` (`''`: the config as a whole). Compile goes on; the config is refused. */
  error(field: string, message: string): void;
  /** Where errors go (for checks that build whole paths themselves, under `path`). */
  readonly errors: ConfigError[];
  /** Index into CompiledPlugins.consumers of a consumer named by id or username (Kong accepts both), or -1. */
  consumerIndex(ref: string): number;
}

/** Which scopes Kong allows for a plugin (its schema's `no_consumer`, `no_route`, `no_service`). */
export interface PluginScopes {
  readonly consumer: boolean;
  readonly route: boolean;
  readonly service: boolean;
}

export const ALL_SCOPES: PluginScopes = { consumer: true, route: true, service: true };
/** Auth plugins identify the consumer, so they cannot be scoped to one (Kong's `no_consumer`). */
export const NO_CONSUMER: PluginScopes = { consumer: false, route: true, service: true };

/** One route's chain as the compile step sees it, for checks that span plugins. */
export interface ChainView {
  readonly routeName: string;
  /** Plugin names on the route (every scope), in run order. */
  readonly names: readonly string[];
  /** Whether the plugin of `name` was configured on this very route (not inherited). */
  scopedToRoute(name: string): boolean;
  /** The compiled config of the plugin `name` on this route (no consumer), or undefined. */
  compiled(name: string): unknown;
  error(name: string, field: string, message: string): void;
}

export interface PluginDefinition<C = Record<string, unknown>, K = unknown> {
  /** Kong's plugin name. */
  readonly name: string;
  readonly version: string;
  /** Kong's static priority: higher runs first, in every phase. */
  readonly priority: number;
  readonly schema: JsonSchema;
  readonly scopes: PluginScopes;
  /**
   * Checks beyond the schema (regexes, references, cross-field rules) and the plain data
   * the handler gets: everything derivable from the config is derived here, once.
   * Must be JSON/msgpack-safe (no functions, classes, Maps, RegExps).
   */
  compile(config: C, ctx: PluginCompileContext): K;
  /**
   * Data shared by every instance of this plugin in one config version (a credential
   * table, built once even with a plugin on each of 500 routes). Called only when at least
   * one entity of this plugin is enabled.
   */
  shared?(config: NormalizedConfig, errors: ConfigError[]): unknown;
  /** Checks that need the whole route chain (e.g. "needs ai-proxy on the route"). */
  checkChain?(chain: ChainView): void;
}
