/**
 * Start and stop a real gateway for integration tests: the compiled CLI in a child
 * process, on ephemeral ports (proxy and admin on 127.0.0.1:0), with a config written to
 * a temp file. Resolves once the `gatehouse ready` line names the bound ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/tools/cli/index.js', import.meta.url));

export interface GatewayOptions {
  workers?: number;
  env?: Record<string, string>;
  /** Extra CLI args. */
  args?: string[];
  /** Access log destination (default `off`). */
  accessLog?: string;
  /** Name of the config file written in the temp dir (default `gatehouse.yaml`). */
  configFileName?: string;
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly adminUrl: string;
  readonly configPath: string;
  readonly process: ChildProcess;
  /** Everything the process wrote so far. */
  output(): string;
  /** What the process wrote to stdout only (whole JSON lines: logs and access log). */
  stdout(): string;
  /** Rewrites the config file and sends SIGHUP. */
  reload(configText: string): void;
  stop(): Promise<number | null>;
}

export async function startGateway(configText: string, options: GatewayOptions = {}): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const configPath = join(dir, options.configFileName ?? 'gatehouse.yaml');
  writeFileSync(configPath, configText);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'start',
      '--config',
      configPath,
      '--workers',
      String(options.workers ?? 1),
      '--proxy-listen',
      '127.0.0.1:0',
      '--admin-listen',
      '127.0.0.1:0',
      ...(options.args ?? []),
    ],
    {
      env: { ...process.env, GATEHOUSE_ACCESS_LOG: options.accessLog ?? 'off', GATEHOUSE_LOG_LEVEL: 'info', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const ready = await new Promise<{ proxy: string; admin: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start in time:\n${out}`)), 15_000);
    const onData = (): void => {
      for (const line of out.split('\n')) {
        if (!line.includes('gatehouse ready')) continue;
        clearTimeout(timer);
        const parsed = JSON.parse(line) as { proxy: string; admin: string };
        resolve(parsed);
        return;
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}`));
    });
  });
  const port = Number(ready.proxy.split(':').pop());
  const adminPort = Number(ready.admin.split(':').pop());
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    configPath,
    process: child,
    output: () => out,
    stdout: () => stdout,
    reload(text: string) {
      writeFileSync(configPath, text);
      child.kill('SIGHUP');
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          // already gone (a signal exit has exitCode null: report it as null too)
          rmSync(dir, { recursive: true, force: true });
          resolve(child.exitCode);
          return;
        }
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', (code) => {
          clearTimeout(kill);
          rmSync(dir, { recursive: true, force: true });
          resolve(code);
        });
        child.kill('SIGTERM');
      });
    },
  };
}

/** Runs the CLI to completion (e.g. `check`), returning exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
