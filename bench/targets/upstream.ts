/** The echo upstream, in its own (pinned) process so it never shares an event loop with the driver. */
import { fileURLToPath } from 'node:url';
import { pinned } from '../pinning.js';
import { startChild, stopChild, waitForLine } from '../processes.js';

const ECHO_ENTRY = fileURLToPath(new URL('../upstreams/echo.js', import.meta.url));

export interface UpstreamProcess {
  port: number;
  stop(): Promise<void>;
}

export async function startUpstreamProcess(cpus: string | null): Promise<UpstreamProcess> {
  const [cmd, args] = pinned(cpus, process.execPath, [ECHO_ENTRY, '--port', '0']);
  const started = startChild(cmd, args);
  try {
    const port = Number(await waitForLine(started, /listening (\d+)/));
    return { port, stop: () => stopChild(started.child) };
  } catch (err) {
    await stopChild(started.child);
    throw err;
  }
}
