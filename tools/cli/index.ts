#!/usr/bin/env node
/** `gatehouse` command line: dispatches to one module per subcommand. */
import { runStart } from './start.js';
import { runCheck } from './check.js';

const USAGE = `usage: gatehouse <command> [options]

commands:
  start [--config FILE] [--workers N] [--proxy-listen HOST:PORT] [--admin-listen HOST:PORT]
        [--http-front strict|uws]
        start the gateway (env: GATEHOUSE_CONFIG, GATEHOUSE_WORKERS, GATEHOUSE_PROXY_LISTEN, ...)
  check FILE
        validate a declarative config; print every error with its path
  plugin new|build|test ...
        scaffold, build and test a WASM filter (gatehouse plugin --help)
  bench [--scenario NAME] [...]
        run the load-test scenarios (see bench/README.md)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return runStart(rest);
    case 'check':
      return runCheck(rest, process.stdout, process.stderr);
    case 'bench': {
      const { runBench } = await import('./bench.js');
      return runBench(rest);
    }
    case 'plugin': {
      const { runPlugin } = await import('./plugin.js');
      return runPlugin(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`gatehouse: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`gatehouse: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
