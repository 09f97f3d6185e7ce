/**
 * One live guest instance: the WebAssembly.Instance, its root context and its http
 * contexts. It implements HostcallHost, so hostcalls reach the current context through it.
 * Every guest call selects the context, refuels and calls (`callStream` / `#callId` on the
 * per-request path, without a closure; `#invoke` elsewhere); on any throw it classifies
 * the fault, kills this VM (timers stopped, calls aborted, paused streams failed) and
 * reports it to the owner, which discards the VM and builds a new one for the next
 * request. proxy_http_call lives in http-calls.ts.
 */
import { Action, BufferType, LogLevel, MapType, Status, StreamType } from './abi/constants.js';
import { bindCallbacks, toAction, type GuestCallbacks, type StreamCallback } from './abi/callbacks.js';
import { createHostcalls, type GuestBuffer, type HostcallHost, type OutgoingHttpCall } from './abi/hostcalls.js';
import { createAssemblyScriptImports, createWasiImports } from './abi/wasi.js';
import { FaultKind, GuestFault, classifyError } from './faults.js';
import { ContextTable } from './context-table.js';
import { HeaderMap } from './header-map.js';
import { EMPTY_CALL_RESPONSE, HttpCalls, type CallResponse } from './http-calls.js';
import { encodePropertyValue, type HostRequest, type LocalResponse } from './host-request.js';
import { HttpStream, type StreamOwner, type StreamVm } from './http-stream.js';
import type { WasmLimits } from './limits.js';
import { GuestMemory } from './memory.js';
import type { WasmMetrics } from './metrics.js';
import type { SharedKv } from '../shared/kv.js';

export type WasmLogger = (level: LogLevel, message: string) => void;

export interface VmOptions {
  readonly name: string;
  readonly rootId: string;
  readonly pluginConfig: Uint8Array;
  readonly vmConfig: Uint8Array;
  readonly limits: WasmLimits;
  readonly kv: SharedKv;
  readonly metrics: WasmMetrics;
  readonly log: WasmLogger;
  readonly logLevel: LogLevel;
  /** Map a proxy_http_call upstream name to an origin (`http://host:port`); null refuses it. */
  readonly resolveUpstream: (name: string) => string | null;
  /** Called once when this VM dies of a guest fault. */
  readonly onFault: (fault: GuestFault) => void;
}

const encoder = new TextEncoder();
const ROOT_CONTEXT_ID = 1;

export class GuestVm implements HostcallHost, StreamVm {
  readonly limits: WasmLimits;
  readonly kv: SharedKv;
  readonly metrics: WasmMetrics;
  readonly rootContextId = ROOT_CONTEXT_ID;
  memory!: GuestMemory;
  readonly #options: VmOptions;
  readonly #owner: StreamOwner;
  #cb!: GuestCallbacks;
  #current: HttpStream | null = null;
  #nextContextId = ROOT_CONTEXT_ID + 1;
  readonly #streams = new ContextTable<HttpStream>();
  readonly #rootProperties = new Map<string, Uint8Array>();
  #alive = true;
  /** While starting, faults are reported by start()'s throw, not through onFault. */
  #starting = true;
  #tick: NodeJS.Timeout | null = null;
  readonly #calls: HttpCalls;
  #callResponse: CallResponse | null = null;

  private constructor(options: VmOptions, owner: StreamOwner) {
    this.#options = options;
    this.#owner = owner;
    this.limits = options.limits;
    this.kv = options.kv;
    this.metrics = options.metrics;
    this.#calls = new HttpCalls(options.limits, options.resolveUpstream);
  }

  /**
   * Instantiate and start: _initialize/_start, root context, proxy_on_vm_start,
   * proxy_on_configure. Throws GuestFault(Start) on any failure, including a guest that
   * rejects its configuration.
   */
  static start(module: WebAssembly.Module, options: VmOptions, owner: StreamOwner): GuestVm {
    const vm = new GuestVm(options, owner);
    const env: Record<string, unknown> = { ...createHostcalls(vm), ...createAssemblyScriptImports(vm) };
    let memory: WebAssembly.Memory | null = null;
    if (WebAssembly.Module.imports(module).some((i) => i.kind === 'memory')) {
      memory = new WebAssembly.Memory({ initial: 1, maximum: options.limits.memoryPages });
      env['memory'] = memory;
    }
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(module, { env, ...createWasiImports(vm) } as WebAssembly.Imports);
      vm.#cb = bindCallbacks(instance.exports);
    } catch (err) {
      throw new GuestFault(FaultKind.Start, `instantiation failed: ${(err as Error).message}`, { cause: err });
    }
    const exported = instance.exports['memory'];
    memory ??= exported instanceof WebAssembly.Memory ? exported : null;
    if (memory === null) throw new GuestFault(FaultKind.Start, 'module has no memory');
    vm.memory = new GuestMemory(memory, vm.#cb.allocate);
    const cb = vm.#cb;
    try {
      if (cb.initialize !== null) vm.#invoke(null, cb.initialize);
      vm.#invoke(null, () => cb.onContextCreate(ROOT_CONTEXT_ID, 0));
      if (cb.onVmStart !== null && !vm.#invoke(null, () => cb.onVmStart?.(ROOT_CONTEXT_ID, options.vmConfig.byteLength) ?? true)) {
        throw new GuestFault(FaultKind.Start, 'proxy_on_vm_start returned false');
      }
      if (cb.onConfigure !== null && !vm.#invoke(null, () => cb.onConfigure?.(ROOT_CONTEXT_ID, options.pluginConfig.byteLength) ?? true)) {
        throw new GuestFault(FaultKind.Start, `filter "${options.name}" rejected its configuration (proxy_on_configure returned false)`);
      }
    } catch (err) {
      vm.close();
      if (err instanceof GuestFault) throw new GuestFault(FaultKind.Start, err.message, { cause: err });
      throw err;
    }
    vm.#starting = false;
    return vm;
  }

  get alive(): boolean {
    return this.#alive;
  }

  get activeStreams(): number {
    return this.#streams.size;
  }

  /** Create the http context for one request. Throws GuestFault when the guest faults. */
  newStream(request: HostRequest): HttpStream {
    const id = this.#nextContextId++;
    const stream = new HttpStream(id, request, this, this.#owner);
    this.#streams.add(stream);
    try {
      this.#callId(stream, this.#cb.onContextCreate, ROOT_CONTEXT_ID);
    } catch (err) {
      this.#streams.delete(id);
      throw err;
    }
    return stream;
  }

  /** Stop timers and calls and fail any stream still waiting on this VM. */
  close(fault?: GuestFault): void {
    if (!this.#alive) return;
    this.#alive = false;
    if (this.#tick !== null) clearInterval(this.#tick);
    this.#tick = null;
    this.#calls.abortAll();
    if (fault !== undefined) for (const s of this.#streams.values()) s.fail(fault);
    this.#streams.clear();
  }

  // --- StreamVm -------------------------------------------------------------------------

  hasCallback(cb: StreamCallback): boolean {
    return this.#cb.stream[cb] !== null;
  }

  hasEndCallback(): boolean {
    return this.#cb.onLog !== null || this.#cb.onDone !== null;
  }

  /** The hot path: one guest call with no closure (a closure per call cost GC on every request). */
  callStream(stream: HttpStream, cb: StreamCallback, n: number, eos: boolean): Action {
    const fn = this.#cb.stream[cb];
    if (fn === null || fn === undefined) return Action.Continue;
    if (!this.#alive) throw new GuestFault(FaultKind.Trap, 'instance was discarded after a fault');
    const previous = this.#current;
    this.#current = stream;
    this.#cb.setFuel(this.limits.fuelPerCallback);
    try {
      return toAction(fn(stream.contextId, n, eos ? 1 : 0));
    } catch (err) {
      throw this.#fault(err);
    } finally {
      this.#current = previous;
    }
  }

  /** proxy_on_log, proxy_on_done, proxy_on_delete, each with a fresh fuel budget. */
  finishStream(stream: HttpStream): void {
    const cb = this.#cb;
    try {
      this.#callId(stream, cb.onLog);
      this.#callId(stream, cb.onDone);
      this.#callId(stream, cb.onDelete);
    } finally {
      this.#streams.delete(stream.contextId);
    }
  }

  /** One per-request call that takes the context id (and a second argument, e.g. the parent). */
  #callId(stream: HttpStream, fn: ((id: number, arg: number) => unknown) | null, arg = 0): void {
    if (fn === null) return;
    if (!this.#alive) throw new GuestFault(FaultKind.Trap, 'instance was discarded after a fault');
    const previous = this.#current;
    this.#current = stream;
    this.#cb.setFuel(this.limits.fuelPerCallback);
    try {
      fn(stream.contextId, arg);
    } catch (err) {
      throw this.#fault(err);
    } finally {
      this.#current = previous;
    }
  }


  // --- guest calls ----------------------------------------------------------------------

  #invoke<T>(stream: HttpStream | null, fn: () => T): T {
    if (!this.#alive) throw new GuestFault(FaultKind.Trap, 'instance was discarded after a fault');
    const previous = this.#current;
    this.#current = stream;
    this.#cb.setFuel(this.limits.fuelPerCallback);
    try {
      return fn();
    } catch (err) {
      throw this.#fault(err);
    } finally {
      this.#current = previous;
    }
  }

  /** Classify what a guest call threw, kill this VM, and return the fault to throw. */
  #fault(err: unknown): GuestFault {
    let fuel: number | null = null;
    try {
      fuel = this.#cb.fuelLeft();
    } catch {
      fuel = null;
    }
    const fault = classifyError(err, fuel);
    this.#kill(fault);
    return fault;
  }

  #kill(fault: GuestFault): void {
    if (!this.#alive) return;
    this.close(fault);
    if (!this.#starting) this.#options.onFault(fault);
  }

  // --- HostcallHost ---------------------------------------------------------------------

  log(level: LogLevel, message: string): void {
    if (level >= this.#options.logLevel) this.#options.log(level, message);
  }

  logLevel(): LogLevel {
    return this.#options.logLevel;
  }

  nowNanoseconds(): bigint {
    return BigInt(Date.now()) * 1_000_000n;
  }

  headerMap(map: number): HeaderMap | Status {
    if (map === MapType.HttpCallResponseHeaders || map === MapType.HttpCallResponseTrailers) {
      const r = this.#callResponse;
      if (r === null) return Status.NotFound;
      return map === MapType.HttpCallResponseHeaders ? r.headers : r.trailers;
    }
    if (map < MapType.HttpRequestHeaders || map > MapType.HttpCallResponseTrailers) return Status.BadArgument;
    if (this.#current === null) return Status.NotFound;
    return this.#current.request.headers(map as MapType) ?? Status.NotFound;
  }

  buffer(type: number): GuestBuffer | Status {
    switch (type) {
      case BufferType.HttpRequestBody:
        return this.#current?.body('request') ?? Status.NotFound;
      case BufferType.HttpResponseBody:
        return this.#current?.body('response') ?? Status.NotFound;
      case BufferType.HttpCallResponseBody:
        return this.#callResponse === null ? Status.NotFound : { bytes: this.#callResponse.body, endOfStream: true };
      case BufferType.VmConfiguration:
        return { bytes: this.#options.vmConfig, endOfStream: true };
      case BufferType.PluginConfiguration:
        return { bytes: this.#options.pluginConfig, endOfStream: true };
      default:
        return type >= 0 && type <= BufferType.CallData ? Status.NotFound : Status.BadArgument;
    }
  }

  property(path: readonly string[]): Uint8Array | null {
    const key = path.join('.');
    switch (key) {
      case 'plugin_name':
        return encoder.encode(this.#options.name);
      case 'plugin_root_id':
        return encoder.encode(this.#options.rootId);
      case 'plugin_vm_id':
        return new Uint8Array(0);
      default:
        break;
    }
    const stream = this.#current;
    const own = stream?.properties?.get(key) ?? this.#rootProperties.get(key);
    if (own !== undefined) return own;
    if (stream === null) return null;
    const value = stream.request.property(path);
    return value === undefined ? null : encodePropertyValue(value, this.limits);
  }

  setProperty(path: readonly string[], value: Uint8Array): Status {
    const key = path.join('.');
    if (key === 'plugin_name' || key === 'plugin_root_id' || key.startsWith('request.') || key.startsWith('source.')) {
      return Status.BadArgument;
    }
    const current = this.#current;
    if (current === null) this.#rootProperties.set(key, value);
    else (current.properties ??= new Map()).set(key, value);
    return Status.Ok;
  }

  sendLocalResponse(response: LocalResponse): Status {
    if (this.#current === null) return Status.BadArgument;
    this.#current.setLocalResponse(response);
    return Status.Ok;
  }

  continueStream(stream: number): Status {
    if (stream !== StreamType.HttpRequest && stream !== StreamType.HttpResponse) return Status.BadArgument;
    if (this.#current === null) return Status.NotFound;
    this.#current.resume(stream as StreamType);
    return Status.Ok;
  }

  closeStream(_stream: number): Status {
    return Status.Unimplemented;
  }

  setEffectiveContext(contextId: number): Status {
    if (contextId === ROOT_CONTEXT_ID) {
      this.#current = null;
      return Status.Ok;
    }
    const stream = this.#streams.get(contextId);
    if (stream === undefined) return Status.BadArgument;
    this.#current = stream;
    return Status.Ok;
  }

  done(): Status {
    return Status.Ok;
  }

  setTickPeriod(ms: number): Status {
    if (this.#tick !== null) clearInterval(this.#tick);
    this.#tick = null;
    if (ms === 0 || this.#cb.onTick === null) return Status.Ok;
    const onTick = this.#cb.onTick;
    this.#tick = setInterval(() => {
      try {
        this.#invoke(null, () => onTick(ROOT_CONTEXT_ID));
      } catch (err) {
        if (!(err instanceof GuestFault)) throw err;
      }
    }, Math.max(ms, this.limits.minTickPeriodMs));
    this.#tick.unref();
    return Status.Ok;
  }

  httpCall(call: OutgoingHttpCall): { status: Status; token: number } {
    const calls = this.#calls;
    if (calls.full) return { status: Status.InternalFailure, token: 0 };
    const prepared = calls.prepare(call);
    if (prepared === null) return { status: Status.BadArgument, token: 0 };
    const contextId = this.#current?.contextId ?? ROOT_CONTEXT_ID;
    const token = calls.start(prepared, (t, response) => this.#deliverCall(t, contextId, response));
    return { status: Status.Ok, token };
  }

  #deliverCall(token: number, contextId: number, response: CallResponse | null): void {
    const cb = this.#cb.onHttpCallResponse;
    if (!this.#alive || cb === null) return;
    const stream = contextId === ROOT_CONTEXT_ID ? null : this.#streams.get(contextId);
    if (stream === undefined) return; // the request finished before the call returned
    const r = response ?? EMPTY_CALL_RESPONSE;
    this.#callResponse = r;
    try {
      this.#invoke(stream, () => cb(contextId, token, response === null ? 0 : r.headers.size, r.body.byteLength, r.trailers.size));
    } catch (err) {
      if (!(err instanceof GuestFault)) throw err;
    } finally {
      this.#callResponse = null;
    }
  }

  hostcallError(name: string, err: unknown): void {
    this.#options.log(LogLevel.Error, `host error in ${name}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  }
}
