import type { TargetName } from '../results.js';
import type { AiScenario } from '../scenarios/types.js';
import type { BenchFilter } from './gatehouse-config.js';

export interface TargetContext {
  upstreamPort: number;
  /** taskset CPU list for the proxy, or null. */
  cpus: string | null;
  /** taskset CPU list of the upstream and the load generator, or null (unpinned). */
  loadCpus?: string | null;
  workers: number;
  /** A private temp directory for config files, pid files and logs. */
  tmpDir: string;
  /** WASM filters on the gateway's route (the wasm-* scenarios); other targets ignore it. */
  filters?: readonly BenchFilter[];
  /** Set for the AI scenarios: the upstream is the mock LLM, the gateway runs ai-proxy. */
  ai?: AiScenario;
}

/** Where the time-to-first-token probe sends its requests (AI streamed scenarios). */
export interface ProbeEndpoint {
  /** Path appended to baseUrl. */
  path: string;
  headers: Readonly<Record<string, string>>;
}

export interface RunningTarget {
  name: TargetName;
  /** Base URL (scheme, host, port) that the scenario path is appended to. */
  baseUrl: string;
  /** Extra request headers this target needs (Portkey's provider and custom host). */
  headers?: Readonly<Record<string, string>>;
  /** The TTFT probe's endpoint on this target (AI scenarios). */
  probe?: ProbeEndpoint;
  /** The target's process, when its CPU time per request is to be measured. */
  pid?: number;
  /** Runs before each of the target's runs, warm-up included (switches a gateway's access log). */
  prepare?(): Promise<void>;
  stop(): Promise<void>;
}
