/**
 * Passive health checks (Kong's `healthchecks.passive`), worker side: the outcome of each
 * proxied attempt is counted in the shared upstream state, so every worker's traffic
 * counts towards one threshold, and a flip is seen by every worker's balancer at once.
 *
 *   response headers: status in unhealthy.http_statuses -> http failure
 *                     status in healthy.http_statuses   -> success
 *                     any other status                  -> not counted
 *   connect / socket error (refused, reset, TLS)          -> tcp failure
 *   connect, headers, body or write timeout               -> timeout
 *   client aborts and local errors                        -> not counted
 *
 * Recovery, as in Kong: a target that passive checks marked unhealthy comes back only
 * through active checks (`healthy.successes` probes) or a manual reset (the admin API's
 * POST /upstreams/{u}/targets/{t}/healthy -> HealthChecker.setTargetHealth). There is no
 * automatic cool-down: Kong has none, and a kong.yml should behave the same here. Note the
 * consequence Kong documents: with passive checks only, a target that trips stays out
 * until an operator resets it. Passive successes can only bring back a target when some
 * traffic still reaches it, which the balancer does not do for an unhealthy target.
 */
import type { CompiledPassiveChecks, CompiledUpstream } from '../../compile/types.js';
import { CheckKind, HealthReason, Outcome, type UpstreamState } from '../../shared/upstream-state.js';
import { H1Code } from '../http1/errors.js';
import { errorCodeOf, TIMEOUT_CODES } from '../upstream-errors.js';

const STATUS_IGNORED = 0;
const STATUS_SUCCESS = 1;
const STATUS_FAILURE = 2;

/** Transport failures: connect refused, resets, the upstream closing mid-exchange, TLS verification. */
const TCP_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  H1Code.CLOSED,
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
]);

/** How an upstream error counts: Outcome.TIMEOUT, Outcome.TCP_FAILURE, or -1 (not a target fault). */
export function errorOutcome(err: unknown): Outcome | -1 {
  const code = errorCodeOf(err);
  if (TIMEOUT_CODES.has(code)) return Outcome.TIMEOUT;
  if (TCP_CODES.has(code)) return Outcome.TCP_FAILURE;
  return -1;
}

/** Status code -> STATUS_* for codes 100..999, built once per upstream. */
function statusTable(checks: CompiledPassiveChecks): Uint8Array {
  const table = new Uint8Array(1000);
  for (const code of checks.healthyStatuses) if (code >= 0 && code < 1000) table[code] = STATUS_SUCCESS;
  for (const code of checks.unhealthyStatuses) if (code >= 0 && code < 1000) table[code] = STATUS_FAILURE;
  return table;
}

export class PassiveHealth {
  readonly #state: UpstreamState;
  readonly #slots: Int32Array;
  readonly #statuses: Uint8Array;
  readonly #successes: number;
  readonly #httpFailures: number;
  readonly #tcpFailures: number;
  readonly #timeouts: number;

  constructor(checks: CompiledPassiveChecks, slots: Int32Array, state: UpstreamState) {
    this.#state = state;
    this.#slots = slots;
    this.#statuses = statusTable(checks);
    this.#successes = checks.healthySuccesses;
    this.#httpFailures = checks.unhealthyHttpFailures;
    this.#tcpFailures = checks.unhealthyTcpFailures;
    this.#timeouts = checks.unhealthyTimeouts;
  }

  /** The upstream answered `target` with `status` (call at response headers). */
  status(target: number, status: number): void {
    const kind = status >= 0 && status < 1000 ? (this.#statuses[status] ?? STATUS_IGNORED) : STATUS_IGNORED;
    if (kind === STATUS_IGNORED) return;
    const slot = this.#slots[target] ?? -1;
    if (kind === STATUS_SUCCESS) {
      this.#state.report(slot, CheckKind.PASSIVE, Outcome.SUCCESS, this.#successes, HealthReason.PASSIVE);
    } else {
      this.#state.report(slot, CheckKind.PASSIVE, Outcome.HTTP_FAILURE, this.#httpFailures, HealthReason.PASSIVE);
    }
  }

  /** The attempt on `target` failed before a response: counts tcp failures and timeouts. */
  error(target: number, err: unknown): void {
    const outcome = errorOutcome(err);
    if (outcome === -1) return;
    const threshold = outcome === Outcome.TIMEOUT ? this.#timeouts : this.#tcpFailures;
    this.#state.report(this.#slots[target] ?? -1, CheckKind.PASSIVE, outcome, threshold, HealthReason.PASSIVE);
  }
}

/** null when the upstream has no passive checks: the pipeline then skips reporting entirely. */
export function createPassiveHealth(upstream: CompiledUpstream, state: UpstreamState): PassiveHealth | null {
  const checks = upstream.healthchecks?.passive ?? null;
  if (checks === null || upstream.id === null) return null;
  return new PassiveHealth(checks, Int32Array.from(upstream.targets, (t) => t.slot), state);
}
