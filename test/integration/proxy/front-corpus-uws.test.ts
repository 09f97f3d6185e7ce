/**
 * The front corpus through the uWS front (`--http-front uws`), 2 workers. uWS's parser
 * cannot be made strict from the gateway's side, so this pins down two things:
 *
 * - what the gateway closed (uws-guard.ts, framing.ts): no case smuggles a request to
 *   the upstream, and nothing but the requests a client meant ever reaches it;
 * - what stays open, as README documents it: each case's outcome is the fixture's `uws`
 *   (a hold until uWS's 10 s timeout shows as `held` within the 1.5 s window).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRONT_CASES, caseParts, fill } from '../../fixtures/front-cases.js';
import { describeOutcome, runCorpus, startCorpusGateway, type CorpusGateway, type CorpusRun } from '../../helpers/front-corpus.js';

const WINDOW_MS = 1500;

let setup: CorpusGateway;
let run: CorpusRun;

beforeAll(async () => {
  setup = await startCorpusGateway('uws');
  run = await runCorpus(setup.gw.port, setup.upstream, WINDOW_MS);
}, 30_000);

afterAll(async () => {
  await setup?.stop();
});

describe('front corpus, uWS front', () => {
  it('lets no request reach the upstream that no client meant', () => {
    expect(run.strays.map((r) => `${r.method} ${r.target}`)).toEqual([]);
    expect(run.upstreamErrors).toEqual([]);
    for (const o of run.outcomes) {
      // uWS forwards some malformed requests the strict front refuses (a chunked body it
      // decodes leniently, README): the client's own request, never a hidden one.
      const own = /^([^ ]+) ([^ ]+) /.exec(caseParts(o.c)[0]?.toString('latin1') ?? '');
      const meant = [...(o.c.uwsUpstream ?? o.c.upstream.map((u) => u.line)).map((line) => fill(o.c, line)), ...(own === null ? [] : [`${own[1]} ${own[2]}`])];
      expect(o.upstream.filter((r) => r.target.includes('/smuggled')).length, describeOutcome(o)).toBe(0);
      const unmeant = o.upstream.map((r) => `${r.method} ${r.target}`).filter((line) => !meant.includes(line));
      expect(unmeant, describeOutcome(o)).toEqual([]);
    }
  });

  it.each(FRONT_CASES.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const o = run.outcomes.find((x) => x.c === c);
    if (o === undefined) throw new Error('case not run');
    const why = describeOutcome(o);
    const expected = c.uws ?? c.statuses;
    const statuses = o.result.responses.map((r) => r.status);
    if (expected === 'varies') return;
    if (expected === 'held') {
      expect(statuses, why).toEqual([]);
      expect(o.result.closed, why).toBe(false);
    } else if (expected === 'closed') {
      expect(statuses, why).toEqual([]);
      expect(o.result.closed, why).toBe(true);
    } else expect(statuses, why).toEqual(expected);
  });
});
