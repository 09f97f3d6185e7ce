/**
 * The plugins this gateway runs (Kong's names). Stage 1 accepts any plugin entry in Kong's
 * shape; a plugin not listed here is configured but does nothing, which for auth or rate
 * limiting would be dangerous to miss — so every such plugin is reported at load (startup,
 * reload and `gatehouse check`).
 */
import type { NormalizedConfig } from '../config/types.js';
import { AI_PLUGINS } from '../ai/compile.js';
import { KEY_AUTH } from './key-auth/compile.js';

export const SUPPORTED_PLUGINS: ReadonlySet<string> = new Set([...AI_PLUGINS, KEY_AUTH]);

/** One warning per enabled plugin entry the gateway does not run, with its path. */
export function unsupportedPluginWarnings(config: NormalizedConfig): string[] {
  const warnings: string[] = [];
  config.plugins.forEach((plugin, i) => {
    if (!plugin.enabled || SUPPORTED_PLUGINS.has(plugin.name)) return;
    warnings.push(`plugins[${i}].name: plugin "${plugin.name}" is not supported by this gateway and does NOT run`);
  });
  return warnings;
}
