// Context registry shared by exports.ts (the ABI side) and authors (registerRoot).
import { HttpContext, RootContext } from "./context";

export type RootFactory = (contextId: u32) => RootContext;

class Registry {
  factory: RootFactory | null = null;
}

export const registry = new Registry();
export const roots = new Map<u32, RootContext>();

// Live http contexts by id. Hosts hand out ids in increasing order and a request lives
// briefly, so a slot per `id & (SLOTS - 1)` holds nearly every one: no hashing per request
// (a Map insert, lookup and delete measured ~90 ns of a ~700 ns no-op filter cycle). An id
// whose slot is taken by a longer-lived request goes to the overflow map.
const SLOTS: u32 = 1024;

class StreamTable {
  private ids: StaticArray<u32> = new StaticArray<u32>(<i32>SLOTS);
  private contexts: StaticArray<HttpContext | null> = new StaticArray<HttpContext | null>(<i32>SLOTS);
  private overflow: Map<u32, HttpContext> = new Map<u32, HttpContext>();

  has(id: u32): bool {
    const slot = <i32>(id & (SLOTS - 1));
    if (unchecked(this.ids[slot]) == id && unchecked(this.contexts[slot]) !== null) return true;
    return this.overflow.has(id);
  }

  /** The context for `id`; call has() first (like Map.get, it aborts on a missing id). */
  get(id: u32): HttpContext {
    const slot = <i32>(id & (SLOTS - 1));
    const found = unchecked(this.contexts[slot]);
    if (unchecked(this.ids[slot]) == id && found !== null) return found;
    return this.overflow.get(id);
  }

  set(id: u32, context: HttpContext): void {
    const slot = <i32>(id & (SLOTS - 1));
    if (unchecked(this.contexts[slot]) === null) {
      unchecked((this.ids[slot] = id));
      unchecked((this.contexts[slot] = context));
      return;
    }
    if (unchecked(this.ids[slot]) == id) {
      unchecked((this.contexts[slot] = context));
      return;
    }
    this.overflow.set(id, context);
  }

  delete(id: u32): void {
    const slot = <i32>(id & (SLOTS - 1));
    if (unchecked(this.ids[slot]) == id && unchecked(this.contexts[slot]) !== null) {
      unchecked((this.contexts[slot] = null));
      unchecked((this.ids[slot] = 0));
      return;
    }
    if (this.overflow.has(id)) this.overflow.delete(id);
  }
}

export const streams = new StreamTable();

/** Register the factory that builds the plugin's RootContext. Call it at module top level. */
export function registerRoot(factory: RootFactory): void {
  registry.factory = factory;
}
