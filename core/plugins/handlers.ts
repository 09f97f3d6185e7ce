/**
 * Worker side: every plugin's handler module, loaded once per thread when this module is
 * first imported (top-level await). The supervisor never imports this.
 */
import type { PluginHandlerModule } from './contract.js';
import { PLUGIN_ENTRIES } from './registry.js';

const loaded = await Promise.all(PLUGIN_ENTRIES.map((e) => e.handler()));

export const HANDLERS: ReadonlyMap<string, PluginHandlerModule<unknown, unknown>> = new Map(
  loaded.map(({ handler }) => [handler.name, handler as PluginHandlerModule<unknown, unknown>]),
);
