/**
 * One wasm filter instance per (module, plugin configuration): the owner of a live GuestVm.
 * It compiles the prepared module once per worker (cache by content hash), starts a VM,
 * hands out one HttpStream per request, and applies the fault rules: a guest fault kills
 * the VM (the next request gets a fresh one), is counted in metrics and logged with the
 * filter's name, and feeds the filter's circuit; while the circuit is open the guest is not
 * run and requests get the `on_error` outcome.
 */
import { LOG_LEVEL_NAMES, LogLevel, type LogLevelName } from './abi/constants.js';
import { FaultKind, FilterCircuit, GuestFault, OnError } from './faults.js';
import type { HostRequest } from './host-request.js';
import { HttpStream, type StreamOwner } from './http-stream.js';
import { DEFAULT_WASM_LIMITS, type WasmLimits } from './limits.js';
import type { WasmMetrics } from './metrics.js';
import type { PreparedModule } from './prepare/prepare.js';
import { defaultResolveUpstream } from './http-calls.js';
import { GuestVm } from './vm.js';
import type { SharedKv } from '../shared/kv.js';
import { StreamCallback } from './abi/callbacks.js';

export interface WasmLogRecord {
  readonly level: LogLevelName;
  readonly filter: string;
  readonly message: string;
}

export type WasmLogSink = (record: WasmLogRecord) => void;

export interface WasmInstanceOptions {
  /** Filter name (file name without `.wasm`); `plugin_name` to the guest. */
  readonly name: string;
  /** `plugin_root_id`; defaults to the name. */
  readonly rootId?: string;
  /** Plugin configuration: bytes, a string, or a JSON value (serialised). */
  readonly config?: Uint8Array | string | Record<string, unknown> | null;
  readonly vmConfig?: Uint8Array | string;
  readonly onError?: OnError;
  readonly limits?: WasmLimits;
  readonly kv: SharedKv;
  readonly metrics: WasmMetrics;
  readonly log?: WasmLogSink;
  /** Lowest level passed to `log`; the guest sees it through proxy_get_log_level. */
  readonly logLevel?: LogLevel;
  readonly resolveUpstream?: (name: string) => string | null;
}

const encoder = new TextEncoder();
const compiled = new Map<string, WebAssembly.Module>();

/** Compile a prepared module once per thread, keyed by its content hash. */
export function compileCached(prepared: PreparedModule): WebAssembly.Module {
  let module = compiled.get(prepared.hash);
  if (module === undefined) {
    module = new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>);
    compiled.set(prepared.hash, module);
  }
  return module;
}

function configBytes(value: WasmInstanceOptions['config'] | WasmInstanceOptions['vmConfig']): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return encoder.encode(value);
  return encoder.encode(JSON.stringify(value));
}

export class WasmInstance implements StreamOwner {
  readonly name: string;
  readonly onError: OnError;
  readonly limits: WasmLimits;
  readonly metrics: WasmMetrics;
  readonly #module: WebAssembly.Module;
  readonly #options: WasmInstanceOptions;
  readonly #circuit: FilterCircuit;
  readonly #log: WasmLogSink;
  #vm: GuestVm | null;
  /** Which request callbacks the module exports (the same in every VM of it), by StreamCallback. */
  readonly #exports: readonly boolean[];
  readonly #endCallback: boolean;
  #generation = 0;
  #lastFault: GuestFault | null = null;

  /**
   * Start the filter. Throws GuestFault(Start) when the guest fails to start or rejects
   * its configuration: the config that names it must be refused.
   */
  constructor(prepared: PreparedModule, options: WasmInstanceOptions) {
    this.name = options.name;
    this.onError = options.onError ?? OnError.FailClosed;
    this.limits = options.limits ?? DEFAULT_WASM_LIMITS;
    this.metrics = options.metrics;
    this.#options = options;
    this.#module = compileCached(prepared);
    this.#circuit = new FilterCircuit(this.limits);
    this.#log = options.log ?? (() => {});
    const vm = this.#startVm();
    this.#vm = vm;
    this.#exports = [0, 1, 2, 3, 4, 5].map((cb) => vm.hasCallback(cb as StreamCallback));
    this.#endCallback = vm.hasEndCallback();
  }

  /** Whether the module exports request callback `cb` at all (a bypassed request still skips it). */
  exports(cb: StreamCallback): boolean {
    return this.#exports[cb] === true;
  }

  /** Whether the module may look at the response: a response callback, or proxy_on_log / on_done. */
  get seesResponse(): boolean {
    return this.exports(StreamCallback.ResponseHeaders) || this.exports(StreamCallback.ResponseBody) || this.exports(StreamCallback.ResponseTrailers) || this.#endCallback;
  }

  /** How many VMs this filter has started (1 + the number of re-creations). */
  get generation(): number {
    return this.#generation;
  }

  get circuitOpen(): boolean {
    return this.#circuit.isOpen();
  }

  get circuitOpenedTimes(): number {
    return this.#circuit.timesOpened;
  }

  get lastFault(): GuestFault | null {
    return this.#lastFault;
  }

  /** True while a live VM exists (false between a fault and the next request). */
  get live(): boolean {
    return this.#vm !== null && this.#vm.alive;
  }

  /**
   * The http context for one request. Never throws: when the circuit is open or the VM
   * cannot be (re)started, the stream is bypassed and carries the on_error outcome.
   */
  stream(request: HostRequest): HttpStream {
    if (this.#circuit.isOpen()) {
      const fault = new GuestFault(FaultKind.CircuitOpen, `filter "${this.name}" circuit is open`);
      this.metrics.recordFault(this.name, fault.kind);
      return this.#bypassed(request, fault);
    }
    let vm = this.#vm;
    if (vm === null || !vm.alive) {
      try {
        vm = this.#startVm();
        this.#vm = vm;
      } catch (err) {
        if (!(err instanceof GuestFault)) throw err;
        this.reportFault(err, false);
        return this.#bypassed(request, err);
      }
    }
    try {
      return vm.newStream(request);
    } catch (err) {
      if (!(err instanceof GuestFault)) throw err;
      return this.#bypassed(request, err);
    }
  }

  /** Count, log and feed the circuit. `stuckOnly`: the VM itself is healthy (pause timeout). */
  reportFault(fault: GuestFault, stuckOnly: boolean): void {
    this.#lastFault = fault;
    this.metrics.recordFault(this.name, fault.kind);
    this.#log({ level: 'error', filter: this.name, message: `wasm filter fault (${fault.kind}): ${fault.message}` });
    if (!stuckOnly) this.#vm = null;
    if (this.#circuit.recordFault()) {
      this.#log({ level: 'error', filter: this.name, message: `circuit opened for ${this.limits.circuitCooldownMs} ms after repeated faults` });
    }
  }

  /** Stop timers and in-flight calls; the instance is unusable afterwards. */
  close(): void {
    this.#vm?.close();
    this.#vm = null;
  }

  #bypassed(request: HostRequest, fault: GuestFault): HttpStream {
    const stream = new HttpStream(0, request, null, this);
    stream.fail(fault);
    return stream;
  }

  #startVm(): GuestVm {
    this.#generation++;
    const o = this.#options;
    const name = this.name;
    const sink = this.#log;
    return GuestVm.start(
      this.#module,
      {
        name,
        rootId: o.rootId ?? name,
        pluginConfig: configBytes(o.config),
        vmConfig: configBytes(o.vmConfig),
        limits: this.limits,
        kv: o.kv,
        metrics: o.metrics,
        logLevel: o.logLevel ?? LogLevel.Info,
        log: (level, message) => sink({ level: LOG_LEVEL_NAMES[level] ?? 'info', filter: name, message }),
        resolveUpstream: o.resolveUpstream ?? defaultResolveUpstream,
        onFault: (fault) => this.reportFault(fault, false),
      },
      this,
    );
  }
}
