/**
 * Portkey's AI gateway (`@portkey-ai/gateway`, a devDependency) as the competitor of the AI
 * scenarios, pinned to the proxy's cores like gatehouse. It is started as its package's
 * bin, `start-server.js --port=N --headless` (the port flag only has the `=` form; a
 * bare `--port N` is ignored and it binds 8787), and routes OpenAI-format calls to the
 * mock by headers: `x-portkey-provider: openai`, `x-portkey-custom-host: <mock>/v1`
 * (loopback hosts are on its default trusted list).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pinned } from '../pinning.js';
import { freePort, startChild, stopChild, waitForHttp } from '../processes.js';
import type { RunningTarget, TargetContext } from './types.js';

/** The package's bin, or null when the package is not installed. */
function portkeyServer(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json');
    return join(dirname(pkg), 'build', 'start-server.js');
  } catch {
    return null;
  }
}

export const PORTKEY_SERVER = portkeyServer();
const STREAM_PRELOAD = new URL('./portkey-preload.js', import.meta.url).href;

/** Why Portkey cannot be measured, or null when it can. */
export function portkeyUnavailable(): string | null {
  return PORTKEY_SERVER !== null && existsSync(PORTKEY_SERVER) ? null : '@portkey-ai/gateway not installed (npm install)';
}

/** The request headers that route an OpenAI-format call through Portkey to `customHost`. */
export function portkeyHeaders(customHost: string): Record<string, string> {
  return { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': customHost, authorization: 'Bearer sk-bench' };
}

export async function startPortkey(ctx: TargetContext): Promise<RunningTarget> {
  if (PORTKEY_SERVER === null) throw new Error('@portkey-ai/gateway not installed');
  const port = await freePort();
  // Streams need the fetch fix in portkey-preload.ts (see there); plain calls run Portkey untouched.
  const preload = ctx.ai?.stream === true ? ['--import', STREAM_PRELOAD] : [];
  const [cmd, args] = pinned(ctx.cpus, process.execPath, [...preload, PORTKEY_SERVER, `--port=${port}`, '--headless']);
  const started = startChild(cmd, args, { ...process.env, NODE_ENV: 'production' });
  // Its start banner and spinner go to stdout; nobody reads it, so drain it.
  started.child.stdout?.resume();
  try {
    await waitForHttp(port, started.child);
  } catch (err) {
    await stopChild(started.child);
    throw new Error(`portkey: ${(err as Error).message}\n${started.stderr.toString()}`);
  }
  const origin = `http://127.0.0.1:${ctx.upstreamPort}`;
  return {
    name: 'portkey',
    baseUrl: `http://127.0.0.1:${port}`,
    headers: portkeyHeaders(`${origin}/v1`),
    probe: { path: '/v1/chat/completions', headers: portkeyHeaders(`${origin}/ttft/v1`) },
    stop: () => stopChild(started.child),
  };
}
