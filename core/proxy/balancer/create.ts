/**
 * One Balancer per compiled upstream, chosen by Kong's `algorithm`, built at materialise
 * time (worker/runtime.ts). Implicit single-target upstreams get a plain round robin
 * that never reads the shared state.
 */
import type { CompiledUpstream } from '../../compile/types.js';
import type { UpstreamState } from '../../shared/upstream-state.js';
import { ConsistentHashing } from './consistent-hashing.js';
import { Latency } from './latency.js';
import { LeastConnections } from './least-connections.js';
import { RoundRobin } from './round-robin.js';
import type { Balancer } from './types.js';
import { UsableTargets } from './usable.js';

export function createBalancer(upstream: CompiledUpstream, state: UpstreamState): Balancer {
  if (upstream.id === null) return new RoundRobin(upstream.schedule);
  const targets = new UsableTargets(upstream, state);
  switch (upstream.algorithm) {
    case 'least-connections':
      return new LeastConnections(targets);
    case 'consistent-hashing':
      return new ConsistentHashing(upstream, targets);
    case 'latency':
      return new Latency(targets);
    case 'round-robin':
      return new RoundRobin(upstream.schedule, targets);
    default:
      throw new Error(`upstream ${upstream.name}: unknown balancing algorithm ${upstream.algorithm}`);
  }
}
