/**
 * The front corpus through the default (strict) front, 2 workers, in front of the
 * recording upstream. For every case: exactly the statuses listed, the close when listed,
 * within 1 s of the last byte sent (never a silent hold), and the upstream received
 * exactly the requests the client meant — none smuggled, none lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRONT_CASES, fill } from '../../fixtures/front-cases.js';
import { describeOutcome, runCorpus, startCorpusGateway, type CorpusGateway, type CorpusRun } from '../../helpers/front-corpus.js';

const DEADLINE_MS = 1000;

let setup: CorpusGateway;
let run: CorpusRun;

beforeAll(async () => {
  setup = await startCorpusGateway('strict');
  run = await runCorpus(setup.gw.port, setup.upstream, DEADLINE_MS);
}, 30_000);

afterAll(async () => {
  await setup?.stop();
});

describe('front corpus, strict front', () => {
  it('has at least 100 cases with unique ids', () => {
    expect(FRONT_CASES.length).toBeGreaterThanOrEqual(100);
    expect(new Set(FRONT_CASES.map((c) => c.id)).size).toBe(FRONT_CASES.length);
  });

  it('lets no request reach the upstream that no client meant', () => {
    expect(run.strays.map((r) => `${r.method} ${r.target}`)).toEqual([]);
    expect(run.upstreamErrors).toEqual([]);
    const smuggled = run.outcomes.flatMap((o) => o.upstream.filter((r) => r.target.includes('/smuggled')).map(() => o.c.id));
    expect(smuggled).toEqual([]);
  });

  it.each(FRONT_CASES.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const o = run.outcomes.find((x) => x.c === c);
    if (o === undefined) throw new Error('case not run');
    const why = describeOutcome(o);
    expect(o.result.responses.map((r) => r.status), why).toEqual(c.statuses);
    if (c.closes) expect(o.result.closed, `${why}: the gateway must close`).toBe(true);
    else expect(o.result.closed, `${why}: the connection must stay open`).toBe(false);
    // Answered (or closed) within the deadline: never held.
    expect(o.result.settledMs, why).toBeGreaterThanOrEqual(0);
    expect(o.result.settledMs, why).toBeLessThan(DEADLINE_MS);
    expect(o.result.leftover, why).toBe('');
    // Refusals carry the error table's JSON body.
    for (const r of o.result.responses) {
      if (r.status === 400) expect(r.body).toBe('{"message":"Bad request"}');
      if (r.status === 501) expect(r.body).toBe('{"message":"Not implemented"}');
    }
    expect(o.upstream.map((r) => `${r.method} ${r.target}`), why).toEqual(c.upstream.map((u) => fill(c, u.line)));
    c.upstream.forEach((u, i) => {
      const got = o.upstream[i];
      if (got === undefined) return;
      if (u.body !== undefined) expect(got.body, why).toBe(u.body);
      for (const [name, value] of Object.entries(u.headers ?? {})) {
        expect(got.headers.filter(([n]) => n === name).map(([, v]) => v), `${why}: upstream header ${name}`).toEqual([fill(c, value)]);
      }
    });
  });
});
