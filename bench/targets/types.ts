import type { TargetName } from '../results.js';
import type { BenchFilter } from './gatehouse-config.js';

export interface TargetContext {
  upstreamPort: number;
  /** taskset CPU list for the proxy, or null. */
  cpus: string | null;
  workers: number;
  /** A private temp directory for config files, pid files and logs. */
  tmpDir: string;
  /** WASM filters on the gateway's route (the wasm-* scenarios); other targets ignore it. */
  filters?: readonly BenchFilter[];
}

export interface RunningTarget {
  name: TargetName;
  /** Base URL (scheme, host, port) that the scenario path is appended to. */
  baseUrl: string;
  stop(): Promise<void>;
}
