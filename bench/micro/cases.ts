/**
 * The command line every micro benchmark shares: `SCRIPT [CASE] [--iterations N]`. With a
 * case it runs that case in this process (the case prints one JSON line); without one it
 * runs every case in a fresh child process, so one case's JIT state and garbage never
 * colour another's, and hands each parsed line to `report`.
 */
import { execFileSync } from 'node:child_process';

export interface MicroCli<C extends string> {
  /** The script's own file (`fileURLToPath(import.meta.url)`), run again for each case. */
  readonly self: string;
  readonly cases: readonly C[];
  readonly defaultIterations: number;
  /** Runs one case here and prints its JSON line. */
  run(name: C, iterations: number): void;
  /** Before the children run (a title and a table header). */
  header(iterations: number): void;
  /** One child's JSON line, parsed. */
  report(name: C, result: Record<string, unknown>): void;
}

export function microMain<C extends string>(cli: MicroCli<C>, argv: readonly string[] = process.argv.slice(2)): void {
  const itIndex = argv.indexOf('--iterations');
  const iterations = itIndex === -1 ? cli.defaultIterations : Number(argv[itIndex + 1]);
  // The first argument that is neither a flag nor --iterations' value.
  const caseArg = argv.find((a, i) => !a.startsWith('--') && (itIndex === -1 || i !== itIndex + 1));
  if (caseArg !== undefined) {
    if (!(cli.cases as readonly string[]).includes(caseArg)) throw new Error(`unknown case ${caseArg} (have: ${cli.cases.join(', ')})`);
    cli.run(caseArg as C, iterations);
    return;
  }
  cli.header(iterations);
  for (const c of cli.cases) {
    const line = execFileSync(process.execPath, [cli.self, c, '--iterations', String(iterations)], { encoding: 'utf8' });
    cli.report(c, JSON.parse(line) as Record<string, unknown>);
  }
}
