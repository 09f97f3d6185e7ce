/**
 * Typed wrappers over the guest's proxy_on_* exports. A callback the module does not
 * export is null and the host skips it with the spec's default (Continue / true). Return
 * values are normalised: i32 booleans to boolean, actions to Action.Continue/Pause
 * (Envoy's StopIteration, StopAllIterationAndBuffer and StopAllIterationAndWatermark all
 * pause; ContinueAndEndStream continues).
 */
import { Action } from './constants.js';
import { FUEL_GET_EXPORT, FUEL_SET_EXPORT } from './import-names.js';

type Fn = (...args: number[]) => number | undefined;

/** The per-request guest callbacks, by index (GuestCallbacks.stream). */
export const StreamCallback = {
  RequestHeaders: 0,
  RequestBody: 1,
  RequestTrailers: 2,
  ResponseHeaders: 3,
  ResponseBody: 4,
  ResponseTrailers: 5,
} as const;
export type StreamCallback = (typeof StreamCallback)[keyof typeof StreamCallback];

/**
 * A raw per-request export: (context id, header count or body size, end of stream as 0/1).
 * Trailer callbacks take two arguments; the third is ignored by the JS-to-wasm call.
 */
export type RawStreamFn = (id: number, n: number, eos: number) => number | undefined;

export interface GuestCallbacks {
  onContextCreate(contextId: number, parentId: number): void;
  onVmStart: ((rootId: number, vmConfigSize: number) => boolean) | null;
  onConfigure: ((rootId: number, configSize: number) => boolean) | null;
  onTick: ((rootId: number) => void) | null;
  onHttpCallResponse: ((id: number, token: number, headers: number, bodySize: number, trailers: number) => void) | null;
  /**
   * The six request-phase exports by StreamCallback index, unwrapped: the hot path calls
   * them directly (no closure per call) and maps the result with toAction.
   */
  stream: readonly (RawStreamFn | null)[];
  /** proxy_on_log, proxy_on_done, proxy_on_delete, unwrapped (results ignored). */
  onLog: ((id: number) => unknown) | null;
  onDone: ((id: number) => unknown) | null;
  onDelete: ((id: number) => unknown) | null;
  /** Run the module's start function (`_initialize` or `_start`), if any. */
  initialize: (() => void) | null;
  /** The allocator (`malloc`, else `proxy_on_memory_allocate`). */
  allocate: ((size: number) => number) | null;
  setFuel(units: number): void;
  /** Fuel left; negative after the budget ran out. */
  fuelLeft(): number;
}

function fn(exports: WebAssembly.Exports, name: string): Fn | null {
  const f = exports[name];
  return typeof f === 'function' ? (f as Fn) : null;
}

export function toAction(value: number | undefined): Action {
  // 0 Continue, 2 ContinueAndEndStream continue; 1, 3, 4 (StopIteration / StopAll*) pause.
  return value === 0 || value === 2 || value === undefined ? Action.Continue : Action.Pause;
}

/**
 * The Gatehouse SDK's `gatehouse_http_callbacks` export: which of the per-request callbacks
 * (bits 0-5 in StreamCallback order, 6 proxy_on_log, 7 proxy_on_done) some HttpContext
 * subclass overrides, computed at build time (sdk/transform/callbacks.ts). The SDK's base
 * methods are no-ops, so a callback whose bit is clear is skipped with the same result.
 * Modules without the export (other SDKs) get every callback.
 */
export const CALLBACKS_EXPORT = 'gatehouse_http_callbacks';
const LOG_BIT = 6;
const DONE_BIT = 7;

function callbackMask(exports: WebAssembly.Exports): number {
  const g = exports[CALLBACKS_EXPORT];
  if (!(g instanceof WebAssembly.Global)) return 0xffffffff;
  const value: unknown = g.value;
  return typeof value === 'number' ? value >>> 0 : 0xffffffff;
}

function overridden(mask: number, bit: number): boolean {
  return ((mask >>> bit) & 1) === 1;
}

export function bindCallbacks(exports: WebAssembly.Exports): GuestCallbacks {
  const mask = callbackMask(exports);
  const contextCreate = fn(exports, 'proxy_on_context_create');
  if (contextCreate === null) throw new Error('missing export proxy_on_context_create');
  const vmStart = fn(exports, 'proxy_on_vm_start');
  const configure = fn(exports, 'proxy_on_configure');
  const tick = fn(exports, 'proxy_on_tick');
  const reqHeaders = fn(exports, 'proxy_on_request_headers');
  const reqBody = fn(exports, 'proxy_on_request_body');
  const reqTrailers = fn(exports, 'proxy_on_request_trailers');
  const resHeaders = fn(exports, 'proxy_on_response_headers');
  const resBody = fn(exports, 'proxy_on_response_body');
  const resTrailers = fn(exports, 'proxy_on_response_trailers');
  const callResponse = fn(exports, 'proxy_on_http_call_response');
  const log = fn(exports, 'proxy_on_log');
  const done = fn(exports, 'proxy_on_done');
  const del = fn(exports, 'proxy_on_delete');
  const init = fn(exports, '_initialize') ?? fn(exports, '_start');
  const alloc = fn(exports, 'malloc') ?? fn(exports, 'proxy_on_memory_allocate');
  const fuelSet = fn(exports, FUEL_SET_EXPORT);
  const fuelGet = fn(exports, FUEL_GET_EXPORT);
  if (fuelSet === null || fuelGet === null) throw new Error('module is not fuel-instrumented');

  return {
    onContextCreate: contextCreate as (contextId: number, parentId: number) => void,
    onVmStart: vmStart && ((root, size) => vmStart(root, size) !== 0),
    onConfigure: configure && ((root, size) => configure(root, size) !== 0),
    onTick: tick && ((root) => void tick(root)),
    onHttpCallResponse: callResponse && ((id, token, h, b, t) => void callResponse(id, token, h, b, t)),
    stream: ([reqHeaders, reqBody, reqTrailers, resHeaders, resBody, resTrailers] as (RawStreamFn | null)[]).map((f, bit) => (overridden(mask, bit) ? f : null)),
    onLog: overridden(mask, LOG_BIT) ? log : null,
    onDone: overridden(mask, DONE_BIT) ? done : null,
    onDelete: del,
    initialize: init && (() => void init()),
    allocate: alloc && ((size) => (alloc(size) ?? 0) >>> 0),
    setFuel: fuelSet as (units: number) => void,
    fuelLeft: () => fuelGet() ?? 0,
  };
}
