/**
 * The bench upstream in its own (pinned) process, so it never shares an event loop with
 * the driver: the echo server, or for the AI scenarios the fast mock LLM.
 */
import { fileURLToPath } from 'node:url';
import { pinned } from '../pinning.js';
import { startChild, stopChild, waitForLine } from '../processes.js';

const ECHO_ENTRY = fileURLToPath(new URL('../upstreams/echo.js', import.meta.url));
const LLM_ENTRY = fileURLToPath(new URL('../upstreams/fast-llm.js', import.meta.url));

/** The mock's delay on the probe path (`/ttft/...`): long enough to tell apart from proxy time. */
export const PROBE_TTFT_MS = 20;
/** Gap between probe-path token frames: a proxy that buffered the stream would show it. */
export const PROBE_TOKEN_DELAY_MS = 1;

/** What to start: the echo server, or the mock LLM with this many reply tokens. */
export type UpstreamKind = { kind: 'echo' } | { kind: 'llm'; tokens: number };

export interface UpstreamProcess {
  port: number;
  stop(): Promise<void>;
}

function upstreamArgs(u: UpstreamKind): string[] {
  if (u.kind === 'echo') return [ECHO_ENTRY, '--port', '0'];
  return [
    LLM_ENTRY, '--port', '0', '--tokens', String(u.tokens),
    '--probe-ttft-ms', String(PROBE_TTFT_MS), '--probe-token-delay-ms', String(PROBE_TOKEN_DELAY_MS),
  ];
}

export async function startUpstreamProcess(cpus: string | null, upstream: UpstreamKind = { kind: 'echo' }): Promise<UpstreamProcess> {
  const [cmd, args] = pinned(cpus, process.execPath, upstreamArgs(upstream));
  const started = startChild(cmd, args);
  try {
    const port = Number(await waitForLine(started, /listening (\d+)/));
    return { port, stop: () => stopChild(started.child) };
  } catch (err) {
    await stopChild(started.child);
    throw err;
  }
}
