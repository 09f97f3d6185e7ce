/**
 * The import allowlist: every function a guest may import. The host provides exactly
 * these (abi/hostcalls.ts, abi/wasi.ts); prepare/imports-check.ts refuses anything else.
 */

/** proxy-wasm 0.2.1 host functions, plus the 0.2.0 names existing SDKs still emit. */
export const PROXY_HOSTCALLS = [
  'proxy_log',
  'proxy_get_log_level',
  'proxy_get_current_time_nanoseconds',
  'proxy_set_tick_period_milliseconds',
  'proxy_get_buffer_bytes',
  'proxy_set_buffer_bytes',
  'proxy_get_buffer_status',
  'proxy_get_header_map_pairs',
  'proxy_set_header_map_pairs',
  'proxy_get_header_map_value',
  'proxy_add_header_map_value',
  'proxy_replace_header_map_value',
  'proxy_remove_header_map_value',
  'proxy_get_header_map_size',
  'proxy_get_property',
  'proxy_set_property',
  'proxy_send_local_response',
  'proxy_continue_stream',
  'proxy_close_stream',
  'proxy_get_shared_data',
  'proxy_set_shared_data',
  'proxy_register_shared_queue',
  'proxy_resolve_shared_queue',
  'proxy_dequeue_shared_queue',
  'proxy_enqueue_shared_queue',
  'proxy_http_call',
  'proxy_grpc_call',
  'proxy_grpc_stream',
  'proxy_grpc_send',
  'proxy_grpc_cancel',
  'proxy_grpc_close',
  'proxy_get_status',
  'proxy_set_effective_context',
  'proxy_done',
  'proxy_call_foreign_function',
  'proxy_define_metric',
  'proxy_increment_metric',
  'proxy_record_metric',
  'proxy_get_metric',
  // ABI 0.2.0 names
  'proxy_continue_request',
  'proxy_continue_response',
  'proxy_clear_route_cache',
] as const;
export type ProxyHostcall = (typeof PROXY_HOSTCALLS)[number];

/** What the AssemblyScript runtime imports from `env`. */
export const ASSEMBLYSCRIPT_IMPORTS = ['abort', 'seed', 'trace'] as const;

/** The WASI subset SDKs import (Rust and TinyGo std), under both module names. */
export const WASI_FUNCTIONS = [
  'fd_write',
  'clock_time_get',
  'random_get',
  'environ_sizes_get',
  'environ_get',
  'args_sizes_get',
  'args_get',
  'proc_exit',
] as const;
export type WasiFunction = (typeof WASI_FUNCTIONS)[number];

export const WASI_MODULES = ['wasi_snapshot_preview1', 'wasi_unstable'] as const;

/** `env.memory` may be imported; the host then supplies a capped memory. */
export const MEMORY_IMPORT = { module: 'env', name: 'memory' } as const;

/** Function imports the host provides, as "module.name". */
export const ALLOWED_FUNCTION_IMPORTS: ReadonlySet<string> = new Set([
  ...PROXY_HOSTCALLS.map((n) => `env.${n}`),
  ...ASSEMBLYSCRIPT_IMPORTS.map((n) => `env.${n}`),
  ...WASI_MODULES.flatMap((m) => WASI_FUNCTIONS.map((n) => `${m}.${n}`)),
]);

/** Exports a module may use as its allocator, in Envoy's order of preference. */
export const ALLOCATOR_EXPORTS = ['malloc', 'proxy_on_memory_allocate'] as const;

/**
 * Names the fuel instrumentation (prepare/instrument.ts) adds to every module. Kept here so
 * the worker side reads them without loading binaryen.
 */
export const FUEL_GLOBAL = '__gh_fuel';
export const FUEL_SET_EXPORT = '__gh_fuel_set';
export const FUEL_GET_EXPORT = '__gh_fuel_get';
