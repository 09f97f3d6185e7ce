/** `npm run bench -- [flags]`: flags to BenchOptions, with errors that name the flag. */
import { DRIVERS, type DriverName } from './results.js';

export interface BenchOptions {
  /** Scenario names; empty = all. */
  scenarios: string[];
  durationS: number | null;
  connections: number | null;
  workers: number;
  driver: DriverName;
  rounds: number;
  nginx: boolean;
  /** Also measure the gateway on the uWS front (`--http-front uws`) as `gatehouse-uws`. */
  uws: boolean;
  /** Measure Portkey's gateway in the AI scenarios when it is installed. */
  portkey: boolean;
  /** Low-load probes (time to first token / to the answer) per target per round, AI scenarios; 0 = none. */
  ttftRequests: number;
  /** Fraction of the slowest target's max rps for the fixed-rate pass; 0 disables it. */
  loadFraction: number;
  warmupS: number;
  /** Results directory; null = bench/results in the repository. */
  outDir: string | null;
  help: boolean;
}

export const BENCH_USAGE = `usage: npm run bench -- [SCENARIO] [flags]
  --scenario NAME       run only this scenario (repeatable, or comma-separated)
  --duration S          measured seconds per round (default: the scenario's)
  --connections N       concurrent connections (default: the scenario's)
  --workers N           gateway worker threads (default 1)
  --driver D            autocannon (default) | wrk
  --rounds N            interleaved rounds per target (default 2)
  --no-nginx            do not measure nginx even when it is installed
  --uws                 also measure the gateway on the uWS front (target gatehouse-uws)
  --no-portkey          AI scenarios: do not measure Portkey's gateway even when it is installed
  --ttft-requests N     AI scenarios: low-load TTFT / latency probes per target per round (default 100, 0 = off)
  --load-fraction F     fixed-rate pass at F x the slowest target's max rps (default 0.5, 0 = off)
  --warmup S            warm-up seconds before each measurement (default 2)
  --out DIR             where to write <timestamp>.json|.md (default bench/results)
`;

export function defaultBenchOptions(): BenchOptions {
  return {
    scenarios: [],
    durationS: null,
    connections: null,
    workers: 1,
    driver: 'autocannon',
    rounds: 2,
    nginx: true,
    uws: false,
    portkey: true,
    ttftRequests: 100,
    loadFraction: 0.5,
    warmupS: 2,
    outDir: null,
    help: false,
  };
}

function positiveNumber(flag: string, text: string | undefined, integer: boolean, allowZero = false): number {
  const n = Number(text);
  const ok = text !== undefined && text !== '' && Number.isFinite(n) && (allowZero ? n >= 0 : n > 0);
  if (!ok || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} needs a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}, got ${text ?? 'nothing'}`);
  }
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const o = defaultBenchOptions();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq !== -1 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--scenario':
        o.scenarios.push(...(value() ?? '').split(',').filter((s) => s !== ''));
        break;
      case '--duration':
        o.durationS = positiveNumber(flag, value(), false);
        break;
      case '--connections':
        o.connections = positiveNumber(flag, value(), true);
        break;
      case '--workers':
        o.workers = positiveNumber(flag, value(), true);
        break;
      case '--rounds':
        o.rounds = positiveNumber(flag, value(), true);
        break;
      case '--warmup':
        o.warmupS = positiveNumber(flag, value(), false, true);
        break;
      case '--load-fraction': {
        const f = positiveNumber(flag, value(), false, true);
        if (f >= 1) throw new Error(`--load-fraction must be below 1, got ${f}`);
        o.loadFraction = f;
        break;
      }
      case '--driver': {
        const d = value();
        if (!DRIVERS.includes(d as DriverName)) throw new Error(`--driver must be one of ${DRIVERS.join(', ')}, got ${d ?? 'nothing'}`);
        o.driver = d as DriverName;
        break;
      }
      case '--no-nginx':
        o.nginx = false;
        break;
      case '--uws':
        o.uws = true;
        break;
      case '--no-portkey':
        o.portkey = false;
        break;
      case '--ttft-requests':
        o.ttftRequests = positiveNumber(flag, value(), true, true);
        break;
      case '--out':
        o.outDir = value() ?? '';
        if (o.outDir === '') throw new Error('--out needs a directory');
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      default:
        if (arg.startsWith('-')) throw new Error(`unknown flag ${arg}`);
        o.scenarios.push(arg);
    }
  }
  return o;
}
