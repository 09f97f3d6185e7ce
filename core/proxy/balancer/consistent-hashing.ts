/**
 * Consistent hashing (Kong's `consistent-hashing` with `hash_on`/`hash_fallback`).
 *
 * The ring is `slots` buckets, built once per materialise; bucket b belongs to the target
 * with the highest weighted rendezvous score for b:
 *
 *   score(b, t) = weight(t) / -ln(u(b, t)),  u = hash(b, host:port of t) in (0, 1)
 *
 * so each target owns a share of buckets proportional to its weight, and removing a
 * target moves only the buckets it owned (~1/N of the keys); the others keep theirs,
 * since a bucket's scores depend only on the bucket and the target's own address.
 * A request hashes its key to a bucket: `ring[hash(key) % slots]`. When that target is
 * unusable (unhealthy, weight 0, or the `exclude` of a retry), the bucket's next-best
 * target by the same scores takes the request, the same one in every worker.
 *
 * Key: `hash_on`, else `hash_fallback`. A cookie source that finds no cookie mints one
 * (a random UUID, as Kong) and hashes on it; the cookie to send back is left in
 * `input.setCookie`. No key at all (`none`, or both sources absent): weighted round robin.
 */
import { randomUUID } from 'node:crypto';
import type { CompiledUpstream } from '../../compile/types.js';
import { HashSource, hashSource, hashString, hashValue, mix32 } from './hash-key.js';
import { RoundRobin } from './round-robin.js';
import type { Balancer, BalanceInput } from './types.js';
import type { UsableTargets } from './usable.js';

const TWO_32 = 4294967296;

/** Seeds per target: the hash of its address, so a target's buckets do not depend on its index. */
function seeds(targets: readonly { target: string }[]): Uint32Array {
  return Uint32Array.from(targets, (t) => hashString(t.target));
}

function score(bucket: number, seed: number, weight: number): number {
  const u = (mix32(Math.imul(bucket + 1, 0x9e3779b1) ^ seed) + 0.5) / TWO_32;
  return weight / -Math.log(u);
}

/** bucket -> target index (-1 when no target has weight). Deterministic: every worker builds the same ring. */
export function buildRing(targets: readonly { target: string; weight: number }[], slots: number): Int32Array {
  const seed = seeds(targets);
  const ring = new Int32Array(Math.max(1, slots));
  for (let b = 0; b < ring.length; b++) {
    let best = -1;
    let bestScore = -1;
    for (let i = 0; i < targets.length; i++) {
      const w = targets[i]?.weight ?? 0;
      if (w <= 0) continue;
      const s = score(b, seed[i] ?? 0, w);
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    ring[b] = best;
  }
  return ring;
}

export class ConsistentHashing implements Balancer {
  readonly needsCaptures: boolean;
  readonly #targets: UsableTargets;
  readonly #ring: Int32Array;
  readonly #seeds: Uint32Array;
  readonly #on: HashSource;
  readonly #onName: string;
  readonly #fallback: HashSource;
  readonly #fallbackName: string;
  readonly #cookiePath: string;
  readonly #roundRobin: RoundRobin;

  constructor(upstream: CompiledUpstream, targets: UsableTargets) {
    const h = upstream.hashing;
    this.#targets = targets;
    this.#ring = buildRing(upstream.targets, upstream.slots);
    this.#seeds = seeds(upstream.targets);
    this.#on = hashSource(h.on);
    this.#onName = h.onName;
    this.#fallback = hashSource(h.fallback);
    this.#fallbackName = h.fallbackName;
    this.#cookiePath = h.cookiePath;
    this.needsCaptures = this.#on === HashSource.URI_CAPTURE || this.#fallback === HashSource.URI_CAPTURE;
    this.#roundRobin = new RoundRobin(upstream.schedule, targets);
  }

  pick(input: BalanceInput, exclude: number): number {
    input.setCookie = null;
    const key = this.#key(input, this.#on, this.#onName) ?? this.#key(input, this.#fallback, this.#fallbackName);
    if (key === undefined) return this.#roundRobin.pick(input, exclude);
    return this.pickHash(hashString(key), exclude);
  }

  /** The target for a key hash (exposed for tests and for callers that hash themselves). */
  pickHash(hash: number, exclude: number): number {
    const targets = this.#targets;
    if (targets.count === 0 || !targets.upstreamUp()) return -1;
    const ring = this.#ring;
    const bucket = hash % ring.length;
    const owner = ring[bucket] ?? -1;
    if (owner >= 0 && owner !== exclude && targets.usable(owner)) return owner;
    // The owner cannot take it: the bucket's next-best usable target.
    let best = -1;
    let bestScore = -1;
    let excludedUsable = false;
    for (let i = 0; i < targets.count; i++) {
      if (!targets.usable(i)) continue;
      if (i === exclude) {
        excludedUsable = true;
        continue;
      }
      const s = score(bucket, this.#seeds[i] ?? 0, targets.weights[i] ?? 0);
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    return best === -1 && excludedUsable ? exclude : best;
  }

  #key(input: BalanceInput, source: HashSource, name: string): string | undefined {
    if (source === HashSource.NONE) return undefined;
    const value = hashValue(source, name, input);
    if (value !== undefined || source !== HashSource.COOKIE) return value;
    const minted = randomUUID();
    input.setCookie = `${name}=${minted}; Path=${this.#cookiePath}`;
    return minted;
  }

  started(_target: number): void {}

  finished(_target: number, _ok: boolean, _latencyMs: number): void {}
}
