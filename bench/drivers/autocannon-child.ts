/**
 * Runs autocannon in its own process (so it can be pinned to a core away from the target)
 * and prints one RunSample as JSON on stdout.
 *
 * Latencies are recorded from the `response` event into our own µs hdr histogram:
 * autocannon's built-in histogram stores whole milliseconds, which reads as "0 ms" for a
 * sub-millisecond proxy. Only 2xx responses are recorded, like autocannon does.
 *
 * Usage: node autocannon-child.js '<LoadJob JSON>'
 */
import { createRequire } from 'node:module';
import { createLatencyHistogram, encodeHistogram, latencyOf, recordLatency } from '../histogram.js';
import type { RunSample } from '../results.js';
import type { LoadJob } from './types.js';

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}

interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: 'done', fn: (result: AutocannonResult) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
}

type Autocannon = (opts: Record<string, unknown>) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function options(job: LoadJob, durationS: number): Record<string, unknown> {
  const opts: Record<string, unknown> = {
    url: job.url,
    method: job.method,
    headers: job.headers,
    connections: job.connections,
    duration: durationS,
    timeout: 10,
  };
  if (job.body !== null) opts['body'] = job.body;
  if (job.rate !== null) opts['overallRate'] = job.rate;
  return opts;
}

function run(job: LoadJob, durationS: number, record: boolean): Promise<RunSample> {
  const hist = createLatencyHistogram();
  let requests = 0;
  let bytes = 0;
  const instance = autocannon(options(job, durationS));
  if (record) {
    instance.on('response', (_client, status, resBytes, ms) => {
      requests++;
      if (status >= 200 && status < 300) {
        bytes += resBytes;
        recordLatency(hist, ms * 1000);
      }
    });
  }
  return new Promise((resolve, reject) => {
    instance.on('error', reject);
    instance.on('done', (result) => {
      const seconds = result.duration > 0 ? result.duration : durationS;
      resolve({
        requests,
        durationS: seconds,
        rps: requests / seconds,
        bytesPerSec: bytes / seconds,
        errors: result.errors,
        non2xx: result.non2xx,
        latency: latencyOf(hist),
        histogram: encodeHistogram(hist),
      });
    });
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as LoadJob;
  if (job.warmupS > 0) await run(job, job.warmupS, false);
  const sample = await run(job, job.durationS, true);
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
