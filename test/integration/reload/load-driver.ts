/**
 * A closed-loop load driver for the reload and chaos tests: `connections` loops over one
 * undici Pool, each sending its next request as soon as the previous one ends, until
 * `stop()`. Every request is recorded (client-side start and end, status, body or error)
 * so a test can check each one against what was in force when it started.
 */
import { Pool } from 'undici';

export interface Sample {
  /** performance.now() just before the request was handed to the pool. */
  start: number;
  /** performance.now() when the body was read (or the error seen). */
  end: number;
  /** HTTP status, or 0 when the request failed without a response. */
  status: number;
  body: string;
  /** The error message of a failed request, '' otherwise. */
  error: string;
  /** x-gatehouse-request-id, '' when absent. */
  requestId: string;
}

export interface LoadRun {
  readonly samples: Sample[];
  /** Resolves when every loop has finished its last request. */
  stop(): Promise<Sample[]>;
}

export interface LoadOptions {
  origin: string;
  path: string;
  connections: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

export function startLoad(options: LoadOptions): LoadRun {
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const samples: Sample[] = [];
  let running = true;
  const loop = async (): Promise<void> => {
    while (running) {
      const start = performance.now();
      try {
        const res = await pool.request({ path: options.path, method: 'GET', headers: options.headers ?? {} });
        const body = await res.body.text();
        const id = res.headers['x-gatehouse-request-id'];
        samples.push({ start, end: performance.now(), status: res.statusCode, body, error: '', requestId: typeof id === 'string' ? id : '' });
      } catch (err) {
        samples.push({ start, end: performance.now(), status: 0, body: '', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), requestId: '' });
      }
    }
  };
  const loops = Array.from({ length: options.connections }, loop);
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
      await pool.close();
      return samples;
    },
  };
}

/** Worker index of a gateway request id (hex digits 8-9), or -1. */
export function workerOfRequestId(id: string): number {
  if (id.length < 10) return -1;
  const n = Number.parseInt(id.slice(8, 10), 16);
  return Number.isNaN(n) ? -1 : n;
}
