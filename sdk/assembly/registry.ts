// Context registry shared by exports.ts (the ABI side) and authors (registerRoot).
import { HttpContext, RootContext } from "./context";

export type RootFactory = (contextId: u32) => RootContext;

class Registry {
  factory: RootFactory | null = null;
}

export const registry = new Registry();
export const roots = new Map<u32, RootContext>();
export const streams = new Map<u32, HttpContext>();

/** Register the factory that builds the plugin's RootContext. Call it at module top level. */
export function registerRoot(factory: RootFactory): void {
  registry.factory = factory;
}
