/**
 * A loopback TCP listener that never accepts, with its accept queue already full: a new
 * SYN to it is dropped by the kernel, so a connect to it hangs until the client's own
 * connect timeout. This is how a connect timeout is produced without leaving loopback.
 *
 * The listener lives in a child process whose event loop is blocked right after
 * listening (Atomics.wait), so nothing ever calls accept(2). With backlog 1 Linux queues
 * two completed connections; `fill` opens them, and any later connect stalls.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

const SOURCE = `
const s = require('node:net').createServer();
s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(s.address().port + '\\n');
  setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 20);
});`;

export interface StalledListener {
  readonly port: number;
  close(): Promise<void>;
}

export async function startStalledListener(): Promise<StalledListener> {
  const child = spawn(process.execPath, ['-e', SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('stalled listener did not start')), 10_000);
    child.stdout.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve(Number(d.toString().trim()));
    });
  });
  // Let the child reach Atomics.wait, then fill the accept queue.
  await new Promise((resolve) => setTimeout(resolve, 150));
  const fillers: Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    fillers.push(s);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of fillers) s.destroy();
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
