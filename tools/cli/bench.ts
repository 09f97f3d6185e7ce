/** `gatehouse bench [...]`: runs the bench harness (bench/runner.ts) in its own process. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function runBench(argv: string[]): Promise<number> {
  const runner = fileURLToPath(new URL('../../bench/runner.js', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [runner, ...argv], { stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
