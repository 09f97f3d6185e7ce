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

export interface GuestCallbacks {
  onContextCreate(contextId: number, parentId: number): void;
  onVmStart: ((rootId: number, vmConfigSize: number) => boolean) | null;
  onConfigure: ((rootId: number, configSize: number) => boolean) | null;
  onTick: ((rootId: number) => void) | null;
  onRequestHeaders: ((id: number, headers: number, endOfStream: boolean) => Action) | null;
  onRequestBody: ((id: number, size: number, endOfStream: boolean) => Action) | null;
  onRequestTrailers: ((id: number, trailers: number) => Action) | null;
  onResponseHeaders: ((id: number, headers: number, endOfStream: boolean) => Action) | null;
  onResponseBody: ((id: number, size: number, endOfStream: boolean) => Action) | null;
  onResponseTrailers: ((id: number, trailers: number) => Action) | null;
  onHttpCallResponse: ((id: number, token: number, headers: number, bodySize: number, trailers: number) => void) | null;
  onLog: ((id: number) => void) | null;
  onDone: ((id: number) => boolean) | null;
  onDelete: ((id: number) => void) | null;
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

function toAction(value: number | undefined): Action {
  // 0 Continue, 2 ContinueAndEndStream continue; 1, 3, 4 (StopIteration / StopAll*) pause.
  return value === 0 || value === 2 || value === undefined ? Action.Continue : Action.Pause;
}

export function bindCallbacks(exports: WebAssembly.Exports): GuestCallbacks {
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
    onContextCreate: (id, parent) => void contextCreate(id, parent),
    onVmStart: vmStart && ((root, size) => vmStart(root, size) !== 0),
    onConfigure: configure && ((root, size) => configure(root, size) !== 0),
    onTick: tick && ((root) => void tick(root)),
    onRequestHeaders: reqHeaders && ((id, n, eos) => toAction(reqHeaders(id, n, eos ? 1 : 0))),
    onRequestBody: reqBody && ((id, size, eos) => toAction(reqBody(id, size, eos ? 1 : 0))),
    onRequestTrailers: reqTrailers && ((id, n) => toAction(reqTrailers(id, n))),
    onResponseHeaders: resHeaders && ((id, n, eos) => toAction(resHeaders(id, n, eos ? 1 : 0))),
    onResponseBody: resBody && ((id, size, eos) => toAction(resBody(id, size, eos ? 1 : 0))),
    onResponseTrailers: resTrailers && ((id, n) => toAction(resTrailers(id, n))),
    onHttpCallResponse: callResponse && ((id, token, h, b, t) => void callResponse(id, token, h, b, t)),
    onLog: log && ((id) => void log(id)),
    onDone: done && ((id) => done(id) !== 0),
    onDelete: del && ((id) => void del(id)),
    initialize: init && (() => void init()),
    allocate: alloc && ((size) => (alloc(size) ?? 0) >>> 0),
    setFuel: (units) => void fuelSet(units),
    fuelLeft: () => fuelGet() ?? 0,
  };
}
