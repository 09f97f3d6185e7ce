/**
 * What happens when a guest misbehaves. A fault (trap, exhausted fuel, abort, a stream
 * paused past its timeout, a failed instantiation) ends the callback; the filter's
 * `on_error` policy decides the request (`fail_closed`, the default: a 500 JSON response;
 * `fail_open`: the request goes on as if the filter were absent); the instance is
 * discarded; and repeated faults inside a window open the filter's circuit for a
 * cool-down, during which the filter is not run and every request gets the policy outcome.
 */
import type { LocalResponse } from './host-request.js';
import type { WasmLimits } from './limits.js';

export const OnError = { FailClosed: 'fail_closed', FailOpen: 'fail_open' } as const;
export type OnError = (typeof OnError)[keyof typeof OnError];

export const FaultKind = {
  /** The guest trapped (unreachable, out-of-bounds access, stack overflow, memory cap hit). */
  Trap: 'trap',
  /** The callback ran out of fuel (CPU budget). */
  Fuel: 'fuel',
  /** The guest called abort / proc_exit. */
  Abort: 'abort',
  /** A paused stream was not continued in time. */
  Timeout: 'timeout',
  /** Instantiation, _initialize, vm_start or configure failed. */
  Start: 'start',
  /** The request was refused because the filter's circuit is open. */
  CircuitOpen: 'circuit_open',
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

/** Raised inside the host when a guest call must end; never escapes to the pipeline. */
export class GuestFault extends Error {
  readonly kind: FaultKind;
  constructor(kind: FaultKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GuestFault';
    this.kind = kind;
  }
}

/** Thrown by the `abort`/`proc_exit` imports to unwind the guest. */
export class GuestAbort extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuestAbort';
  }
}

/** Classify whatever a guest call threw. `fuelLeft` is read from the guest after the trap. */
export function classifyError(err: unknown, fuelLeft: number | null): GuestFault {
  if (err instanceof GuestFault) return err;
  if (err instanceof GuestAbort) return new GuestFault(FaultKind.Abort, err.message, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  if (fuelLeft !== null && fuelLeft < 0) {
    return new GuestFault(FaultKind.Fuel, 'fuel exhausted: the callback exceeded its CPU budget', { cause: err });
  }
  return new GuestFault(FaultKind.Trap, `guest trapped: ${message}`, { cause: err });
}

const FAIL_CLOSED_BODY = new TextEncoder().encode('{"message":"An unexpected error occurred"}');

/** The local response `fail_closed` sends (Kong's 500 wording); null for `fail_open`. */
export function faultResponse(policy: OnError): LocalResponse | null {
  if (policy === OnError.FailOpen) return null;
  return {
    status: 500,
    details: 'wasm_filter_fault',
    headers: [['content-type', 'application/json; charset=utf-8']],
    body: FAIL_CLOSED_BODY,
  };
}

/**
 * Per-filter circuit: `circuitFaults` faults inside `circuitWindowMs` open it for
 * `circuitCooldownMs`; the first call after the cool-down is let through (half-open) and
 * one more fault re-opens it at once.
 */
export class FilterCircuit {
  readonly #limits: WasmLimits;
  readonly #now: () => number;
  #faultTimes: number[] = [];
  #openUntil = 0;
  #halfOpen = false;
  #opened = 0;

  constructor(limits: WasmLimits, now: () => number = Date.now) {
    this.#limits = limits;
    this.#now = now;
  }

  /** How many times the circuit has opened. */
  get timesOpened(): number {
    return this.#opened;
  }

  isOpen(): boolean {
    if (this.#openUntil === 0) return false;
    if (this.#now() < this.#openUntil) return true;
    this.#openUntil = 0;
    this.#halfOpen = true;
    return false;
  }

  /** Record a fault; returns true when this fault opened the circuit. */
  recordFault(): boolean {
    const now = this.#now();
    if (this.#halfOpen) {
      this.#halfOpen = false;
      return this.#open(now);
    }
    const since = now - this.#limits.circuitWindowMs;
    this.#faultTimes = this.#faultTimes.filter((t) => t > since);
    this.#faultTimes.push(now);
    if (this.#faultTimes.length >= this.#limits.circuitFaults) return this.#open(now);
    return false;
  }

  /** A call completed cleanly: a half-open circuit closes. */
  recordSuccess(): void {
    this.#halfOpen = false;
  }

  #open(now: number): boolean {
    this.#openUntil = now + this.#limits.circuitCooldownMs;
    this.#faultTimes = [];
    this.#opened++;
    return true;
  }
}
