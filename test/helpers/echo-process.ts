/**
 * The bench echo upstream (bench/upstreams/echo.ts, built to dist/) in its own process,
 * so heavy tests (1 GB responses, load) do not share one event loop between the client
 * and the upstream it reads from.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ECHO = fileURLToPath(new URL('../../dist/bench/upstreams/echo.js', import.meta.url));

export interface EchoProcess {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  close(): Promise<void>;
}

export function startEchoProcess(): Promise<EchoProcess> {
  const child = spawn(process.execPath, [ECHO, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`echo upstream did not start:\n${out}`)), 10_000);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      const port = Number(m[1]);
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        process: child,
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`echo upstream exited with ${code}:\n${out}`));
    });
  });
}
