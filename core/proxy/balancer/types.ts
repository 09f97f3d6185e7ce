/**
 * The contract between the pipeline and a load-balancing algorithm.
 *
 * The pipeline owns one BalanceInput per request (a field of its RequestContext, or one
 * reused object per worker), fills it from what it already copied out of the uWS request,
 * and passes it to `pick`. Only consistent hashing reads it; the other algorithms ignore
 * it, so filling it costs a few field stores and nothing else.
 */

export class BalanceInput {
  /** Client address as text (what `hash_on: ip` hashes). */
  clientIp = '';
  /** The request's flat lower-case header list `[name, value, name, value, …]`. */
  headers: readonly string[] = NO_HEADERS;
  /** Normalised request path, without the query (`hash_on: path`). */
  path = '';
  /** Raw query string without `?` (`hash_on: query_arg`). */
  query = '';
  /** Authenticated consumer id, else credential id, else null (`hash_on: consumer`). */
  consumer: string | null = null;
  /**
   * The route's regex match (`Matcher.uriCaptures`), for `hash_on: uri_capture`. Filled
   * only when the balancer says it needs them (`Balancer.needsCaptures`).
   */
  captures: RegExpExecArray | null = null;
  /**
   * Output: a `Set-Cookie` value the response must carry, set by consistent hashing when
   * it hashes on a cookie the client did not send (Kong mints one); null otherwise.
   * `pick` clears it first.
   */
  setCookie: string | null = null;

  /** Fills every input field at once (fixed shape, no allocation). */
  fill(clientIp: string, headers: readonly string[], path: string, query: string, consumer: string | null): void {
    this.clientIp = clientIp;
    this.headers = headers;
    this.path = path;
    this.query = query;
    this.consumer = consumer;
    this.captures = null;
    this.setCookie = null;
  }
}

const NO_HEADERS: readonly string[] = [];

export interface Balancer {
  /** True only for consistent hashing on a uri_capture: the pipeline fills `input.captures`. */
  readonly needsCaptures: boolean;
  /**
   * A target index, or -1 when no target may take traffic (all unhealthy or weight 0,
   * or the upstream is under its health threshold): the pipeline answers 503.
   * `exclude` is a target to avoid (the one a retry just failed on), or -1; it is
   * returned only when it is the one usable target left.
   */
  pick(input: BalanceInput, exclude: number): number;
  /** The request was dispatched to `target`. */
  started(target: number): void;
  /**
   * The attempt on `target` ended: `ok` when the upstream answered (any status), with
   * `latencyMs` to its response headers; false for connect/socket errors and timeouts.
   * Call exactly once per `started`.
   */
  finished(target: number, ok: boolean, latencyMs: number): void;
}
