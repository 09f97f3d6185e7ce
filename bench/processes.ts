/** Child processes of a bench run: spawn, wait for a port to answer HTTP, stop politely. */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Keeps the last few KiB of a stream, for error messages. */
export class OutputTail {
  #text = '';
  constructor(readonly limit = 8192) {}
  push(chunk: Buffer | string): void {
    this.#text = (this.#text + chunk.toString()).slice(-this.limit);
  }
  toString(): string {
    return this.#text;
  }
}

export function hasCommand(name: string): boolean {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** A port that was free a moment ago (bind 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** Polls until an HTTP request to the port gets any answer; fails if the child exits first. */
export async function waitForHttp(port: number, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before answering on port ${port}`);
    }
    if (await answers(port)) return;
    await sleep(100);
  }
  throw new Error(`no HTTP answer on port ${port} within ${timeoutMs} ms`);
}

/** SIGTERM, wait for exit, SIGKILL after graceMs. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface Started {
  child: ChildProcess;
  stderr: OutputTail;
}

export function startChild(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  const stderr = new OutputTail();
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  return { child, stderr };
}

/** Waits for a stdout line matching `pattern` and returns its first capture group. */
export function waitForLine(started: Started, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => fail(new Error(`no line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const m = pattern.exec(buffered);
      if (m !== null) done(() => resolve(m[1] ?? ''));
    };
    const onExit = (): void => fail(new Error(`exited before printing ${pattern}: ${started.stderr.toString()}`));
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      started.child.stdout?.off('data', onData);
      started.child.off('exit', onExit);
      fn();
    };
    const fail = (err: Error): void => done(() => reject(err));
    started.child.stdout?.on('data', onData);
    started.child.once('exit', onExit);
  });
}

/** Runs a command to completion, collecting stdout; rejects on a non-zero exit. */
export function runCommand(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = startChild(command, args);
    let stdout = '';
    started.child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    started.child.once('error', reject);
    started.child.once('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} exited ${code ?? signal}: ${started.stderr.toString().trim()}`));
    });
  });
}
