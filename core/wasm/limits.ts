/**
 * Every cap the WASM sandbox enforces, in one place (as proxy-wasm cpp-host keeps
 * `limits.h`). A filter may lower or raise a cap through `WasmLimitsInput`; the host never
 * reads a bare number for a limit anywhere else.
 */

/** WebAssembly page size in bytes (fixed by the spec). */
export const WASM_PAGE_BYTES = 65_536;

export interface WasmLimits {
  /** Hard memory cap per instance, in 64 KiB pages (256 = 16 MiB). Written into the module's memory maximum at load. */
  readonly memoryPages: number;
  /** Fuel units per guest callback: one unit is spent at every function entry, exit and loop head. */
  readonly fuelPerCallback: number;
  /** Most header pairs a guest may hand to or receive from a header-map hostcall. */
  readonly maxHeaderPairs: number;
  /** Most bytes of a serialised header map (keys, values, lengths and NULs). */
  readonly maxHeaderMapBytes: number;
  /** Most bytes of one header name or value. */
  readonly maxHeaderValueBytes: number;
  /** Longest log message a guest may emit; longer ones are truncated. */
  readonly maxLogMessageBytes: number;
  /** Most body bytes buffered while a body callback answers Pause. */
  readonly maxBodyBufferBytes: number;
  /** How long a stream may stay paused (headers Pause without continue) before it faults, ms. */
  readonly pauseTimeoutMs: number;
  /** Most bytes one shared-data value may hold. */
  readonly maxSharedValueBytes: number;
  /** Most bytes of a shared-data key. */
  readonly maxSharedKeyBytes: number;
  /** Most metrics one instance may define. */
  readonly maxMetrics: number;
  /** Shortest tick period a guest may ask for, ms (shorter requests are raised to it). */
  readonly minTickPeriodMs: number;
  /** Most concurrent outgoing http calls per instance. */
  readonly maxHttpCalls: number;
  /** Upper bound on an http call's timeout, ms. */
  readonly maxHttpCallTimeoutMs: number;
  /** Most response body bytes kept from an http call. */
  readonly maxHttpCallBodyBytes: number;
  /** Faults inside `circuitWindowMs` that open a filter's circuit. */
  readonly circuitFaults: number;
  /** Window in which faults are counted towards opening the circuit, ms. */
  readonly circuitWindowMs: number;
  /** How long an open circuit stays open before the filter is tried again, ms. */
  readonly circuitCooldownMs: number;
}

export const DEFAULT_WASM_LIMITS: WasmLimits = Object.freeze({
  memoryPages: 256,
  fuelPerCallback: 20_000_000,
  maxHeaderPairs: 256,
  maxHeaderMapBytes: 256 * 1024,
  maxHeaderValueBytes: 64 * 1024,
  maxLogMessageBytes: 4096,
  maxBodyBufferBytes: 8 * 1024 * 1024,
  pauseTimeoutMs: 5_000,
  maxSharedValueBytes: 1024,
  maxSharedKeyBytes: 256,
  maxMetrics: 256,
  minTickPeriodMs: 10,
  maxHttpCalls: 64,
  maxHttpCallTimeoutMs: 60_000,
  maxHttpCallBodyBytes: 4 * 1024 * 1024,
  circuitFaults: 5,
  circuitWindowMs: 10_000,
  circuitCooldownMs: 30_000,
});

/** Hard ceiling on the memory cap itself: 4 GiB is the wasm32 address space. */
export const MAX_MEMORY_PAGES = 65_536;

export type WasmLimitsInput = { readonly [K in keyof WasmLimits]?: WasmLimits[K] };

/** Merge overrides over the defaults; every value must be a positive integer. */
export function resolveLimits(input: WasmLimitsInput | undefined): WasmLimits {
  if (input === undefined) return DEFAULT_WASM_LIMITS;
  const out: Record<string, number> = { ...DEFAULT_WASM_LIMITS };
  for (const [key, value] of Object.entries(input)) {
    if (!(key in DEFAULT_WASM_LIMITS)) throw new Error(`unknown wasm limit "${key}"`);
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new Error(`wasm limit "${key}" must be a positive integer, got ${String(value)}`);
    }
    out[key] = value;
  }
  if ((out['memoryPages'] ?? 0) > MAX_MEMORY_PAGES) {
    throw new Error(`wasm limit "memoryPages" must be at most ${MAX_MEMORY_PAGES}`);
  }
  return Object.freeze(out) as unknown as WasmLimits;
}
