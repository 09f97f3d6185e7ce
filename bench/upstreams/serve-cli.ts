/**
 * The command-line tail every bench upstream shares: print `listening PORT` (what the
 * harness waits for), close and exit 0 on SIGTERM / SIGINT, and run `main` only when the
 * module is the process's entry point (a failure prints its stack and exits 1).
 */
import { pathToFileURL } from 'node:url';

export interface ServingUpstream {
  readonly port: number;
  close(): void | Promise<void>;
}

export function serveUntilSignal(server: ServingUpstream): void {
  process.stdout.write(`listening ${server.port}\n`);
  const stop = (): void => {
    void Promise.resolve(server.close()).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

export function runIfEntry(moduleUrl: string, main: (args: string[]) => Promise<void>): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
