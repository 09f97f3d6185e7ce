import type { TargetName } from '../results.js';

export interface TargetContext {
  upstreamPort: number;
  /** taskset CPU list for the proxy, or null. */
  cpus: string | null;
  workers: number;
  /** A private temp directory for config files, pid files and logs. */
  tmpDir: string;
}

export interface RunningTarget {
  name: TargetName;
  /** Base URL (scheme, host, port) that the scenario path is appended to. */
  baseUrl: string;
  stop(): Promise<void>;
}
