import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pinned } from '../pinning.js';
import { freePort, startChild, stopChild, waitForHttp } from '../processes.js';
import { nginxConf } from './nginx-conf.js';
import type { RunningTarget, TargetContext } from './types.js';

export async function startNginx(ctx: TargetContext): Promise<RunningTarget> {
  const dir = join(ctx.tmpDir, 'nginx');
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const runAsRoot = process.getuid?.() === 0;
  await writeFile(join(dir, 'nginx.conf'), nginxConf({ dir, listenPort: port, upstreamPort: ctx.upstreamPort, runAsRoot }));
  // -e: the error log before the config is read would otherwise be /var/log/nginx.
  const [cmd, args] = pinned(ctx.cpus, 'nginx', ['-p', dir, '-c', 'nginx.conf', '-e', join(dir, 'error.log')]);
  const started = startChild(cmd, args);
  try {
    await waitForHttp(port, started.child);
  } catch (err) {
    await stopChild(started.child);
    throw new Error(`nginx: ${(err as Error).message}\n${started.stderr.toString()}`);
  }
  return { name: 'nginx', baseUrl: `http://127.0.0.1:${port}`, stop: () => stopChild(started.child) };
}
