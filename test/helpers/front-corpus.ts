/**
 * Runs the front corpus (test/fixtures/front-cases.ts) through a live gateway in front of
 * the recording upstream: every case on its own connection, all at once, then the
 * upstream's record is split by case prefix. Used by the corpus tests of both fronts.
 */
import { type FrontCase, FRONT_CASES, caseParts, casePrefix } from '../fixtures/front-cases.js';
import { startGateway, type Gateway } from './gateway.js';
import { startRecordingUpstream, type RecordedRequest, type RecordingUpstream } from './recording-upstream.js';
import { streamExchange, type StreamResult } from './response-stream.js';

export interface CaseOutcome {
  c: FrontCase;
  result: StreamResult;
  /** What the upstream received for this case, in arrival order. */
  upstream: RecordedRequest[];
}

export interface CorpusRun {
  outcomes: CaseOutcome[];
  /** Upstream requests no case prefix explains. */
  strays: RecordedRequest[];
  upstreamErrors: string[];
}

export interface CorpusGateway {
  gw: Gateway;
  upstream: RecordingUpstream;
  stop(): Promise<void>;
}

export async function startCorpusGateway(front: 'strict' | 'uws'): Promise<CorpusGateway> {
  const upstream = await startRecordingUpstream();
  const config = JSON.stringify({
    _format_version: '3.0',
    services: [{ name: 'recorder', url: `http://127.0.0.1:${upstream.port}`, routes: [{ name: 'cases', paths: ['/c'], strip_path: false }] }],
  });
  const gw = await startGateway(config, { workers: 2, args: ['--http-front', front] });
  return {
    gw,
    upstream,
    async stop() {
      await gw.stop();
      await upstream.close();
    },
  };
}

/** The case a recorded request belongs to (by its path prefix), or null. */
function caseOf(req: RecordedRequest, byPrefix: Map<string, FrontCase>): FrontCase | null {
  const m = /^\/c\/([^/?]+)/.exec(req.target);
  return m === null ? null : (byPrefix.get(`/c/${m[1]}`) ?? null);
}

export async function runCorpus(port: number, upstream: RecordingUpstream, deadlineMs: number, cases: readonly FrontCase[] = FRONT_CASES): Promise<CorpusRun> {
  const results = await Promise.all(
    cases.map((c) => streamExchange(port, caseParts(c), { responses: c.statuses.length, closes: c.closes, deadlineMs, halfClose: c.halfClose === true, partsAfterAnswer: c.partsAfterAnswer === true })),
  );
  // Let an upstream request still on its way land before the record is read.
  await new Promise((r) => setTimeout(r, 300));
  const byPrefix = new Map(cases.map((c) => [casePrefix(c), c]));
  const perCase = new Map<FrontCase, RecordedRequest[]>(cases.map((c) => [c, []]));
  const strays: RecordedRequest[] = [];
  for (const req of upstream.requests) {
    const c = caseOf(req, byPrefix);
    if (c === null) strays.push(req);
    else perCase.get(c)?.push(req);
  }
  return {
    outcomes: cases.map((c, i) => ({ c, result: results[i] as StreamResult, upstream: perCase.get(c) ?? [] })),
    strays,
    upstreamErrors: [...upstream.errors],
  };
}

/** One line per case for failure messages and docs: `id: statuses [closed] -> upstream lines`. */
export function describeOutcome(o: CaseOutcome): string {
  const statuses = o.result.responses.map((r) => r.status).join(',') || '-';
  const up = o.upstream.map((r) => `${r.method} ${r.target}`).join(' | ') || '-';
  return `${o.c.id}: [${statuses}]${o.result.closed ? ' closed' : ''} settled=${Math.round(o.result.settledMs)}ms upstream=${up}`;
}
