import type { BenchFilter } from '../targets/gatehouse-config.js';

/** One macro-benchmark scenario: a single request shape driven at one target. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query sent to every target (the gateway routes `/` to the echo upstream). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Default concurrent connections (overridden by --connections). */
  readonly connections: number;
  /** Default measured seconds per round (overridden by --duration). */
  readonly duration: number;
  /** WASM filters the gateway target runs on its route (none when absent). */
  readonly filters?: readonly BenchFilter[];
}
