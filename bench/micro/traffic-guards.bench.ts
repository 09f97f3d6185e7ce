/**
 * Micro benchmark: the access step of the request guards, one case per process.
 *
 *   npm run build && node dist/bench/micro/traffic-guards.bench.js [CASE] [--iterations N]
 *
 *   bot-rules      Kong's bundled bot regexes over a desktop Chrome User-Agent (what an
 *                  uncached bot-detection verdict costs)
 *   bot-cached     bot-detection's access step when the User-Agent's verdict is cached
 *   ip-v4          ip-restriction's access step: 102 allow ranges + 1 deny, IPv4 client
 *   ip-v6          the same for an IPv6 client in uWS's expanded text form
 */
import { fileURLToPath } from 'node:url';
import type { PluginEnv, PluginHandler, PluginRequest } from '../../core/plugins/contract.js';
import { handler as botDetection } from '../../core/plugins/bot-detection/handler.js';
import { BOT_RULES } from '../../core/plugins/bot-detection/rules.js';
import { handler as ipRestriction } from '../../core/plugins/ip-restriction/handler.js';
import { microMain } from './cases.js';

const CASES = ['bot-rules', 'bot-cached', 'ip-v4', 'ip-v6'] as const;
type Case = (typeof CASES)[number];

const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 Safari/537.36';
const env = {} as PluginEnv;

/** The parts of a request the two handlers read; exit() would mean the bench measured a refusal. */
function request(remoteAddress: string): PluginRequest {
  return {
    headers: ['host', 'api.example.com', 'user-agent', CHROME, 'accept', '*/*'],
    remoteAddress,
    exit: () => {
      throw new Error('the benchmarked request was refused');
    },
  } as unknown as PluginRequest;
}

function step(name: Case): () => void {
  if (name === 'bot-rules') {
    const rules = BOT_RULES.map((r) => new RegExp(r));
    return () => {
      for (const r of rules) if (r.test(CHROME)) throw new Error('Chrome matched a bot rule');
    };
  }
  let h: PluginHandler;
  let req: PluginRequest;
  if (name === 'bot-cached') {
    h = botDetection.create({ allow: [], deny: [] }, env, undefined);
    req = request('127.0.0.1');
  } else {
    const allow = Array.from({ length: 100 }, (_, i) => `10.${i}.0.0/16`).concat('192.168.0.0/16', '2001:db8::/32');
    h = ipRestriction.create({ allow, deny: ['192.168.7.10'], status: 403, body: null }, env, undefined);
    req = request(name === 'ip-v4' ? '192.168.7.9' : '2001:0db8:0000:0000:0000:0000:0000:0001');
  }
  return () => void h.access?.(req, 0);
}

function runCase(name: Case, iterations: number): void {
  const run = step(name);
  for (let i = 0; i < Math.min(iterations, 100_000); i++) run(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  const ns = Number(process.hrtime.bigint() - start);
  console.log(JSON.stringify({ case: name, iterations, nsPerOp: ns / iterations }));
}

microMain({
  self: fileURLToPath(import.meta.url),
  cases: CASES,
  defaultIterations: 200_000,
  run: runCase,
  header: (iterations) => {
    console.log(`traffic-guards: ${iterations} iterations per case, node ${process.version}`);
    console.log('case       | ns/op');
  },
  report: (name, r) => {
    console.log(`${name.padEnd(10)} | ${(r['nsPerOp'] as number).toFixed(1).padStart(8)}`);
  },
});
