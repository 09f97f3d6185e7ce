/**
 * The time-to-first-token probe, in its own process (pinned with the load generator):
 * `concurrency` loops of chat requests with undici, each timed from the request being
 * sent to the first body bytes that carry an SSE `data:` line (streamed calls) or to the
 * first body bytes (plain calls: a ~500-byte answer, so that is its whole latency); the
 * rest is read to the end so the connection is reused, as a real client would.
 * Prints one TtftSample as JSON on stdout.
 *
 * Usage: node ttft-child.js '<TtftJob JSON>'
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { createLatencyHistogram, encodeHistogram, latencyOf, recordLatency } from '../histogram.js';
import type { TtftJob, TtftSample } from './ttft-types.js';

const DATA = Buffer.from('data:');
/** A probe that has no answer after this long counts as an error. */
const PROBE_TIMEOUT_MS = 5000;
/** Consecutive failures after which a loop stops: a wedged target must not stall the run. */
const GIVE_UP_AFTER = 5;

/** One probe: µs to the first `data:` bytes, or null when the call failed. */
async function probe(job: TtftJob, dispatcher: Agent): Promise<number | null> {
  const start = performance.now();
  const res = await request(job.url, {
    method: 'POST',
    headers: job.headers,
    body: job.body,
    dispatcher,
    headersTimeout: PROBE_TIMEOUT_MS,
    bodyTimeout: PROBE_TIMEOUT_MS,
  });
  if (res.statusCode !== 200) {
    await res.body.dump();
    return null;
  }
  let first: number | null = null;
  for await (const chunk of res.body) {
    if (first === null && (!job.sse || (chunk as Buffer).includes(DATA))) first = (performance.now() - start) * 1000;
  }
  return first;
}

async function run(job: TtftJob): Promise<TtftSample> {
  const dispatcher = new Agent({ connections: job.concurrency, pipelining: 1 });
  const hist = createLatencyHistogram();
  let errors = 0;
  let requests = 0;
  let remaining = job.warmup + job.requests;
  let failedInRow = 0;
  const loop = async (): Promise<void> => {
    while (remaining > 0 && failedInRow < GIVE_UP_AFTER) {
      const measured = remaining-- <= job.requests;
      const us = await probe(job, dispatcher).catch(() => null);
      failedInRow = us === null ? failedInRow + 1 : 0;
      if (!measured) continue;
      if (us === null) errors++;
      else {
        requests++;
        recordLatency(hist, us);
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  // Probes the target never answered are errors too.
  errors += Math.min(remaining, job.requests);
  await dispatcher.destroy();
  return { requests, errors, latency: latencyOf(hist), histogram: encodeHistogram(hist) };
}

run(JSON.parse(process.argv[2] ?? '') as TtftJob)
  .then((sample) => process.stdout.write(`${JSON.stringify(sample)}\n`))
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
