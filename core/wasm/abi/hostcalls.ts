/**
 * The `env` import object: every proxy-wasm hostcall follows the same four steps (as
 * cpp-host's exports.cc): the current context (held by the HostcallHost), bounds-checked
 * guest memory, a delegate call, a Status. A bad pointer or length returns
 * Status.InvalidMemoryAccess; a host-side bug returns Status.InternalFailure and is
 * logged. Only guest faults (a trap inside the guest allocator, abort) propagate, since they
 * must end the callback.
 */
import { LogLevel, Status, StreamType } from './constants.js';
import { decodePairs, encodePairs } from './pairs.js';
import { PROXY_HOSTCALLS, type ProxyHostcall } from './import-names.js';
import { KvResult, type SharedKv } from '../../shared/kv.js';
import { GuestAbort } from '../faults.js';
import type { HeaderMap, HeaderPair } from '../header-map.js';
import type { LocalResponse } from '../host-request.js';
import type { WasmLimits } from '../limits.js';
import type { GuestMemory } from '../memory.js';
import type { WasmMetrics } from '../metrics.js';

/** A body or configuration buffer as a hostcall sees it. */
export interface GuestBuffer {
  readonly bytes: Uint8Array;
  readonly endOfStream: boolean;
  /** Replace `size` bytes at `start` (clamped to the end); absent for read-only buffers. */
  readonly replace?: (start: number, size: number, data: Uint8Array) => void;
}

export interface OutgoingHttpCall {
  readonly upstream: string;
  readonly headers: readonly HeaderPair[];
  readonly body: Uint8Array;
  readonly trailers: readonly HeaderPair[];
  readonly timeoutMs: number;
}

/** What hostcalls delegate to: the instance, with its current context already selected. */
export interface HostcallHost {
  readonly memory: GuestMemory;
  readonly limits: WasmLimits;
  readonly kv: SharedKv;
  readonly metrics: WasmMetrics;
  log(level: LogLevel, message: string): void;
  logLevel(): LogLevel;
  nowNanoseconds(): bigint;
  /** The map in the current context; a Status when it does not exist here. */
  headerMap(map: number): HeaderMap | Status;
  buffer(type: number): GuestBuffer | Status;
  property(path: readonly string[]): Uint8Array | null;
  setProperty(path: readonly string[], value: Uint8Array): Status;
  sendLocalResponse(response: LocalResponse): Status;
  continueStream(stream: number): Status;
  closeStream(stream: number): Status;
  setEffectiveContext(contextId: number): Status;
  done(): Status;
  setTickPeriod(ms: number): Status;
  httpCall(call: OutgoingHttpCall): { status: Status; token: number };
  /** A host-side exception inside a hostcall (a bug): logged, reported as InternalFailure. */
  hostcallError(name: string, err: unknown): void;
}

const INVALID = Status.InvalidMemoryAccess;

/** Property paths use NUL between segments (Envoy); a dotted path without NULs is accepted too. */
export function splitPropertyPath(raw: string): string[] {
  const trimmed = raw.endsWith('\u0000') ? raw.slice(0, -1) : raw;
  if (trimmed.includes('\u0000')) return trimmed.split('\u0000');
  return trimmed.split('.');
}

function isGuestFault(err: unknown): boolean {
  return err instanceof WebAssembly.RuntimeError || err instanceof GuestAbort || err instanceof RangeError;
}

type Hostcall = (...args: never[]) => number;

/** Build the proxy-wasm part of the `env` import object for one instance. */
export function createHostcalls(host: HostcallHost): Record<ProxyHostcall, Hostcall> {
  const limits = host.limits;

  const raw = {
    proxy_log(level: number, ptr: number, len: number): number {
      if (level < LogLevel.Trace || level > LogLevel.Critical) return Status.BadArgument;
      const max = Math.min(len >>> 0, limits.maxLogMessageBytes);
      if (!host.memory.inBounds(ptr, len)) return INVALID;
      const text = host.memory.string(ptr, max);
      if (text === null) return INVALID;
      host.log(level as LogLevel, text);
      return Status.Ok;
    },
    proxy_get_log_level(retLevel: number): number {
      return host.memory.writeU32(retLevel, host.logLevel()) ? Status.Ok : INVALID;
    },
    proxy_get_current_time_nanoseconds(retTime: number): number {
      return host.memory.writeU64(retTime, host.nowNanoseconds()) ? Status.Ok : INVALID;
    },
    proxy_set_tick_period_milliseconds(ms: number): number {
      return host.setTickPeriod(ms >>> 0);
    },

    proxy_get_buffer_bytes(type: number, start: number, maxSize: number, retPtr: number, retLen: number): number {
      if (!slotsOk(retPtr, retLen)) return INVALID;
      const buf = host.buffer(type);
      if (typeof buf === 'number') return buf;
      const s = Math.min(start >>> 0, buf.bytes.byteLength);
      const e = Math.min(s + (maxSize >>> 0), buf.bytes.byteLength);
      return host.memory.returnBytes(buf.bytes.subarray(s, e), retPtr, retLen) ? Status.Ok : INVALID;
    },
    proxy_set_buffer_bytes(type: number, start: number, size: number, dataPtr: number, dataLen: number): number {
      const buf = host.buffer(type);
      if (typeof buf === 'number') return buf;
      if (buf.replace === undefined) return Status.BadArgument;
      const data = host.memory.copy(dataPtr, dataLen);
      if (data === null) return INVALID;
      if (buf.bytes.byteLength - Math.min(size >>> 0, buf.bytes.byteLength) + data.byteLength > limits.maxBodyBufferBytes) {
        return Status.BadArgument;
      }
      buf.replace(start >>> 0, size >>> 0, data);
      return Status.Ok;
    },
    proxy_get_buffer_status(type: number, retLen: number, retFlags: number): number {
      const buf = host.buffer(type);
      if (typeof buf === 'number') return buf;
      const ok = host.memory.writeU32(retLen, buf.bytes.byteLength) && host.memory.writeU32(retFlags, buf.endOfStream ? 1 : 0);
      return ok ? Status.Ok : INVALID;
    },

    proxy_get_header_map_pairs(map: number, retPtr: number, retLen: number): number {
      if (!slotsOk(retPtr, retLen)) return INVALID;
      const m = host.headerMap(map);
      if (typeof m === 'number') return m;
      const bytes = encodePairs(m.pairs(), limits);
      if (bytes === null) return Status.ResultMismatch;
      return host.memory.returnBytes(bytes, retPtr, retLen) ? Status.Ok : INVALID;
    },
    proxy_set_header_map_pairs(map: number, ptr: number, len: number): number {
      const m = host.headerMap(map);
      if (typeof m === 'number') return m;
      const bytes = host.memory.view(ptr, len);
      if (bytes === null) return INVALID;
      const pairs = decodePairs(bytes, limits);
      if (pairs === null) return Status.BadArgument;
      m.setPairs(pairs);
      return Status.Ok;
    },
    proxy_get_header_map_value(map: number, kPtr: number, kLen: number, retPtr: number, retLen: number): number {
      if (!slotsOk(retPtr, retLen)) return INVALID;
      const m = host.headerMap(map);
      if (typeof m === 'number') return m;
      const key = host.memory.string(kPtr, kLen);
      if (key === null) return INVALID;
      const value = m.get(key);
      if (value === undefined) return Status.NotFound;
      return host.memory.returnString(value, retPtr, retLen) ? Status.Ok : INVALID;
    },
    proxy_add_header_map_value(map: number, kPtr: number, kLen: number, vPtr: number, vLen: number): number {
      return mutate(map, kPtr, kLen, vPtr, vLen, (m, k, v) => m.add(k, v));
    },
    proxy_replace_header_map_value(map: number, kPtr: number, kLen: number, vPtr: number, vLen: number): number {
      return mutate(map, kPtr, kLen, vPtr, vLen, (m, k, v) => m.replace(k, v));
    },
    proxy_remove_header_map_value(map: number, kPtr: number, kLen: number): number {
      const m = host.headerMap(map);
      if (typeof m === 'number') return m;
      const key = host.memory.string(kPtr, kLen);
      if (key === null) return INVALID;
      m.remove(key);
      return Status.Ok;
    },
    proxy_get_header_map_size(map: number, retSize: number): number {
      const m = host.headerMap(map);
      if (typeof m === 'number') return m;
      const bytes = encodePairs(m.pairs(), limits);
      if (bytes === null) return Status.ResultMismatch;
      return host.memory.writeU32(retSize, bytes.byteLength) ? Status.Ok : INVALID;
    },

    proxy_get_property(pPtr: number, pLen: number, retPtr: number, retLen: number): number {
      if (!slotsOk(retPtr, retLen)) return INVALID;
      const raw = host.memory.string(pPtr, pLen);
      if (raw === null) return INVALID;
      const value = host.property(splitPropertyPath(raw));
      if (value === null) return Status.NotFound;
      return host.memory.returnBytes(value, retPtr, retLen) ? Status.Ok : INVALID;
    },
    proxy_set_property(pPtr: number, pLen: number, vPtr: number, vLen: number): number {
      const raw = host.memory.string(pPtr, pLen);
      const value = host.memory.copy(vPtr, vLen);
      if (raw === null || value === null) return INVALID;
      return host.setProperty(splitPropertyPath(raw), value);
    },

    proxy_send_local_response(
      status: number, dPtr: number, dLen: number, bPtr: number, bLen: number, hPtr: number, hLen: number, _grpc: number,
    ): number {
      const details = host.memory.string(dPtr, dLen);
      const body = host.memory.copy(bPtr, bLen);
      const headerBytes = host.memory.view(hPtr, hLen);
      if (details === null || body === null || headerBytes === null) return INVALID;
      if (status < 100 || status > 599) return Status.BadArgument;
      if (body.byteLength > limits.maxBodyBufferBytes) return Status.BadArgument;
      const headers = decodePairs(headerBytes, limits);
      if (headers === null) return Status.BadArgument;
      return host.sendLocalResponse({ status, details, headers, body });
    },
    proxy_continue_stream: (stream: number): number => host.continueStream(stream),
    proxy_close_stream: (stream: number): number => host.closeStream(stream),
    proxy_continue_request: (): number => host.continueStream(StreamType.HttpRequest),
    proxy_continue_response: (): number => host.continueStream(StreamType.HttpResponse),
    proxy_clear_route_cache: (): number => Status.Unimplemented,

    proxy_get_shared_data(kPtr: number, kLen: number, retPtr: number, retLen: number, retCas: number): number {
      const key = host.memory.copy(kPtr, kLen);
      if (key === null) return INVALID;
      if (!slotsOk(retPtr, retLen) || !host.memory.inBounds(retCas, 4)) return INVALID;
      const entry = host.kv.get(key);
      if (entry === null) return Status.NotFound;
      if (!host.memory.returnBytes(entry.value, retPtr, retLen)) return INVALID;
      return host.memory.writeU32(retCas, entry.cas) ? Status.Ok : INVALID;
    },
    proxy_set_shared_data(kPtr: number, kLen: number, vPtr: number, vLen: number, cas: number): number {
      const key = host.memory.copy(kPtr, kLen);
      const value = host.memory.copy(vPtr, vLen);
      if (key === null || value === null) return INVALID;
      if (key.byteLength === 0) return Status.BadArgument;
      switch (host.kv.set(key, value, cas >>> 0)) {
        case KvResult.Ok:
          return Status.Ok;
        case KvResult.CasMismatch:
          return Status.CasMismatch;
        case KvResult.TooLarge:
          return Status.BadArgument;
        default:
          return Status.InternalFailure;
      }
    },
    proxy_register_shared_queue: (): number => Status.Unimplemented,
    proxy_resolve_shared_queue: (): number => Status.Unimplemented,
    proxy_dequeue_shared_queue: (): number => Status.Unimplemented,
    proxy_enqueue_shared_queue: (): number => Status.Unimplemented,

    proxy_http_call(
      uPtr: number, uLen: number, hPtr: number, hLen: number, bPtr: number, bLen: number,
      tPtr: number, tLen: number, timeoutMs: number, retToken: number,
    ): number {
      const upstream = host.memory.string(uPtr, uLen);
      const headerBytes = host.memory.view(hPtr, hLen);
      if (upstream === null || headerBytes === null) return INVALID;
      const headers = decodePairs(headerBytes, limits);
      const body = host.memory.copy(bPtr, bLen);
      const trailerBytes = host.memory.view(tPtr, tLen);
      if (body === null || trailerBytes === null) return INVALID;
      const trailers = decodePairs(trailerBytes, limits);
      if (headers === null || trailers === null) return Status.BadArgument;
      if (!host.memory.inBounds(retToken, 4)) return INVALID;
      const result = host.httpCall({ upstream, headers, body, trailers, timeoutMs: timeoutMs >>> 0 });
      if (result.status !== Status.Ok) return result.status;
      return host.memory.writeU32(retToken, result.token) ? Status.Ok : INVALID;
    },
    proxy_grpc_call: (): number => Status.Unimplemented,
    proxy_grpc_stream: (): number => Status.Unimplemented,
    proxy_grpc_send: (): number => Status.Unimplemented,
    proxy_grpc_cancel: (): number => Status.Unimplemented,
    proxy_grpc_close: (): number => Status.Unimplemented,
    proxy_get_status: (): number => Status.Unimplemented,
    proxy_set_effective_context: (id: number): number => host.setEffectiveContext(id >>> 0),
    proxy_done: (): number => host.done(),
    proxy_call_foreign_function: (): number => Status.Unimplemented,

    proxy_define_metric(type: number, nPtr: number, nLen: number, retId: number): number {
      const name = host.memory.string(nPtr, nLen);
      if (name === null || !host.memory.inBounds(retId, 4)) return INVALID;
      if (name.length === 0) return Status.BadArgument;
      const id = host.metrics.define(type, name);
      if (id === 0) return Status.BadArgument;
      return host.memory.writeU32(retId, id) ? Status.Ok : INVALID;
    },
    proxy_increment_metric: (id: number, offset: bigint): number => host.metrics.increment(id >>> 0, Number(offset)),
    proxy_record_metric: (id: number, value: bigint): number => host.metrics.record(id >>> 0, Number(BigInt.asUintN(64, value))),
    proxy_get_metric(id: number, retValue: number): number {
      const value = host.metrics.get(id >>> 0);
      if (value === undefined) return Status.NotFound;
      return host.memory.writeU64(retValue, BigInt(Math.trunc(value))) ? Status.Ok : INVALID;
    },
  } satisfies Record<ProxyHostcall, (...args: never[]) => number>;

  /** Both return slots of a (ptr, len) result must be writable before any work is done. */
  function slotsOk(retPtr: number, retLen: number): boolean {
    return host.memory.inBounds(retPtr, 4) && host.memory.inBounds(retLen, 4);
  }

  function mutate(
    map: number, kPtr: number, kLen: number, vPtr: number, vLen: number,
    apply: (m: HeaderMap, key: string, value: string) => void,
  ): number {
    const m = host.headerMap(map);
    if (typeof m === 'number') return m;
    const key = host.memory.string(kPtr, kLen);
    const value = host.memory.string(vPtr, vLen);
    if (key === null || value === null) return INVALID;
    if ((kLen >>> 0) > limits.maxHeaderValueBytes || (vLen >>> 0) > limits.maxHeaderValueBytes) return Status.BadArgument;
    if (m.size >= limits.maxHeaderPairs) return Status.BadArgument;
    apply(m, key, value);
    return Status.Ok;
  }

  // Guard each hostcall once: a host exception becomes InternalFailure; guest faults unwind.
  const guarded = {} as Record<ProxyHostcall, Hostcall>;
  for (const name of PROXY_HOSTCALLS) {
    const f = raw[name] as unknown as (...args: unknown[]) => number;
    const failed = (err: unknown): number => {
      if (isGuestFault(err)) throw err;
      host.hostcallError(name, err);
      return Status.InternalFailure;
    };
    guarded[name] = withArity(f, failed);
  }
  return guarded;
}


type Guarded = (...args: unknown[]) => number;

/**
 * A guard with the hostcall's own arity: no rest array per call, and V8's wasm-to-JS
 * wrapper calls a function whose length matches the import's signature directly.
 */
function withArity(f: Guarded, failed: (err: unknown) => number): Hostcall {
  switch (f.length) {
    case 0: return (() => { try { return f(); } catch (err) { return failed(err); } }) as Hostcall;
    case 1: return ((a: unknown) => { try { return f(a); } catch (err) { return failed(err); } }) as Hostcall;
    case 2: return ((a: unknown, b: unknown) => { try { return f(a, b); } catch (err) { return failed(err); } }) as Hostcall;
    case 3: return ((a: unknown, b: unknown, c: unknown) => { try { return f(a, b, c); } catch (err) { return failed(err); } }) as Hostcall;
    case 4: return ((a: unknown, b: unknown, c: unknown, d: unknown) => { try { return f(a, b, c, d); } catch (err) { return failed(err); } }) as Hostcall;
    case 5: return ((a: unknown, b: unknown, c: unknown, d: unknown, e: unknown) => { try { return f(a, b, c, d, e); } catch (err) { return failed(err); } }) as Hostcall;
    default: return ((...args: unknown[]) => { try { return f(...args); } catch (err) { return failed(err); } }) as Hostcall;
  }
}
