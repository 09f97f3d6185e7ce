/**
 * Compile side: every plugin definition, loaded once when this module is first imported
 * (top-level await), so config compilation stays synchronous. Workers never import this.
 */
import type { PluginDefinition } from './definition.js';
import { PLUGIN_ENTRIES } from './registry.js';

const loaded = await Promise.all(PLUGIN_ENTRIES.map((e) => e.definition()));

export const DEFINITIONS: ReadonlyMap<string, PluginDefinition<never, unknown>> = new Map(
  loaded.map(({ definition }) => [definition.name, definition]),
);

/** Every plugin name Gatehouse runs, sorted (GET /plugins/enabled). */
export function availablePlugins(): string[] {
  return [...DEFINITIONS.keys()].sort();
}
