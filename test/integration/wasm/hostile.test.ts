/**
 * Hostile guests through a running gateway (2 workers), each on its own route while a
 * plain route is served at the same time. For each: the request gets the filter's
 * `on_error` outcome (fail_closed: 500 JSON; fail_open: proxied) within a bounded time,
 * the plain route keeps answering during the hostile request, and the fault is counted in
 * `gatehouse_wasm_faults_total` on the admin /metrics. Repeated faults open the filter's
 * circuit: requests then get the on_error outcome without the guest running.
 * Bad pointers and huge values handed to hostcalls are not faults: the guest gets the
 * spec's error status and the request goes on.
 * Default sandbox limits (fuel 20M per callback, 16 MiB memory, 5 s pause timeout, circuit
 * after 5 faults in 10 s): the gateway has no knob for them, which these tests rely on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, request } from 'undici';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { waitFor, within } from '../../helpers/wait.js';
import * as hostile from '../../fixtures/wasm/hostile.js';
import { statuses, watGuest } from '../../fixtures/wasm/wat-guest.js';
import { filtersDir, metricsText, metricValue, type FiltersDir } from './filters-dir.js';

const FAIL_CLOSED = { message: 'An unexpected error occurred' };
/** Generous bounds: a hang fails the test, slowness within them does not. */
const HOSTILE_BOUND_MS = 15_000;
const PLAIN_BOUND_MS = 5_000;
const CIRCUIT_FAULTS = 5;

/** Logs a line on every run, then traps: shows whether the guest ran at all. */
const ranThenTrap = (): Uint8Array =>
  watGuest({
    data: { 0x400: 'circuit guest ran' },
    onRequestHeaders: '(drop (call $proxy_log (i32.const 2) (i32.const 0x400) (i32.const 17))) (unreachable)',
  });

/** Loads from an address far outside its memory: a guest-side out-of-bounds access traps. */
const outOfBoundsLoad = (): Uint8Array => watGuest({ onRequestHeaders: '(drop (i32.load (i32.const -8))) (i32.const 0)' });

/** Traps in the response-headers callback: the upstream has answered, the client has nothing yet. */
const trapOnResponse = (): Uint8Array => watGuest({ onResponseHeaders: '(unreachable)' });

/** Spins forever in the response-body callback. */
const loopOnResponseBody = (): Uint8Array => watGuest({ onResponseBody: '(loop $l (br $l)) (i32.const 0)' });

interface FilterRoute {
  readonly filter: string;
  readonly wasm: () => Uint8Array;
  readonly onError: 'fail_closed' | 'fail_open';
}

const ROUTES: Record<string, FilterRoute> = {
  loop: { filter: 'loop', wasm: hostile.infiniteLoop, onError: 'fail_closed' },
  'loop-open': { filter: 'loop-open', wasm: hostile.infiniteLoop, onError: 'fail_open' },
  memory: { filter: 'memory', wasm: hostile.memoryGrowth, onError: 'fail_closed' },
  trap: { filter: 'trap', wasm: hostile.trap, onError: 'fail_closed' },
  'trap-open': { filter: 'trap-open', wasm: hostile.trap, onError: 'fail_open' },
  'oob-hostcalls': { filter: 'oob-hostcalls', wasm: hostile.badPointers, onError: 'fail_closed' },
  'oob-load': { filter: 'oob-load', wasm: outOfBoundsLoad, onError: 'fail_closed' },
  huge: { filter: 'huge', wasm: () => hostile.hugeHeader(200_000), onError: 'fail_closed' },
  pause: { filter: 'pause', wasm: hostile.pauseForever, onError: 'fail_closed' },
  circuit: { filter: 'circuit', wasm: ranThenTrap, onError: 'fail_closed' },
  'trap-response': { filter: 'trap-response', wasm: trapOnResponse, onError: 'fail_closed' },
  'trap-response-open': { filter: 'trap-response-open', wasm: trapOnResponse, onError: 'fail_open' },
  'loop-body': { filter: 'loop-body', wasm: loopOnResponseBody, onError: 'fail_closed' },
};

let upstream: TestUpstream;
let dir: FiltersDir;
let gw: Gateway;

beforeAll(async () => {
  dir = filtersDir();
  for (const r of Object.values(ROUTES)) dir.add(r.filter, r.wasm());
  upstream = await startUpstream();
  gw = await startGateway(
    JSON.stringify({
      _format_version: '3.0',
      services: [
        {
          name: 'echo',
          url: upstream.url,
          routes: [{ name: 'plain', paths: ['/plain'] }, ...Object.keys(ROUTES).map((name) => ({ name, paths: [`/${name}/`] }))].map(
            (r) => ({ ...r, strip_path: false }),
          ),
        },
      ],
      filter_chains: Object.entries(ROUTES).map(([route, r]) => ({
        name: `${route}-chain`,
        route,
        filters: [{ name: r.filter, on_error: r.onError }],
      })),
    }),
    { workers: 2, args: ['--wasm-filters-path', dir.path] },
  );
});

afterAll(async () => {
  // The gateway survived every hostile guest: it still exits cleanly.
  expect(await gw?.stop()).toBe(0);
  await upstream?.close();
  dir?.remove();
});

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(`${gw.url}${path}`, { headers });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

/**
 * Sends the hostile request and, at the same time, plain requests one after another until
 * it has an answer (at least three). Every plain request must succeed within its bound.
 */
async function alongsidePlain(path: string): Promise<{ answer: Answer; plainStatuses: number[]; plainBeforeAnswer: number }> {
  let answered = false;
  let plainBeforeAnswer = 0;
  const plainStatuses: number[] = [];
  const hostileRequest = within(get(path), HOSTILE_BOUND_MS, `hostile request ${path}`).finally(() => {
    answered = true;
    plainBeforeAnswer = plainStatuses.length;
  });
  const plain = (async () => {
    while (!answered || plainStatuses.length < 3) {
      const r = await within(get(`/plain/ping-${plainStatuses.length}`), PLAIN_BOUND_MS, 'plain request during a hostile one');
      plainStatuses.push(r.status);
    }
  })();
  const [answer] = await Promise.all([hostileRequest, plain]);
  return { answer, plainStatuses, plainBeforeAnswer };
}

async function faults(filter: string, kind: string): Promise<number> {
  return metricValue(await metricsText(gw.adminUrl), 'gatehouse_wasm_faults_total', { filter, kind });
}

function expectFailClosed(answer: Answer): void {
  expect(answer.status).toBe(500);
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(JSON.parse(answer.body)).toEqual(FAIL_CLOSED);
}

function expectProxied(answer: Answer, path: string): { url: string; headers: Record<string, string> } {
  expect(answer.status).toBe(200);
  const echo = JSON.parse(answer.body) as { url: string; headers: Record<string, string> };
  expect(echo.url).toBe(path);
  return echo;
}

/** The JSON log lines a filter wrote through proxy_log (or the host wrote about it). */
function filterLog(filter: string): { msg: string }[] {
  return gw
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { filter?: string; msg: string })
    .filter((l) => l.filter === filter);
}

describe('an infinite loop in a header callback', () => {
  it('fail_closed: runs out of fuel, answers 500 JSON, counts a fuel fault; the plain route keeps serving', async () => {
    const { answer, plainStatuses } = await alongsidePlain('/loop/x');
    expectFailClosed(answer);
    expect(plainStatuses.every((s) => s === 200)).toBe(true);
    expect(await faults('loop', 'fuel')).toBe(1);
    expect(filterLog('loop').some((l) => l.msg.includes('fuel exhausted'))).toBe(true);
  });

  it('fail_open: the request is proxied unchanged after the fault', async () => {
    const { answer, plainStatuses } = await alongsidePlain('/loop-open/through');
    expectProxied(answer, '/loop-open/through');
    expect(plainStatuses.every((s) => s === 200)).toBe(true);
    expect(await faults('loop-open', 'fuel')).toBe(1);
  });
});

describe('unbounded memory growth', () => {
  it('stops at the 16 MiB cap (256 pages); the trap is a counted fault and the request gets 500', async () => {
    const { answer, plainStatuses } = await alongsidePlain('/memory/x');
    expectFailClosed(answer);
    expect(plainStatuses.every((s) => s === 200)).toBe(true);
    expect(await faults('memory', 'trap')).toBe(1);
    await waitFor(() => filterLog('memory').some((l) => l.msg === 'pages=256'), 5_000, 'the guest logging its final page count');
  });
});

describe('a trap', () => {
  it('fail_closed answers 500 and counts a trap fault', async () => {
    const { answer, plainStatuses } = await alongsidePlain('/trap/x');
    expectFailClosed(answer);
    expect(plainStatuses.every((s) => s === 200)).toBe(true);
    expect(await faults('trap', 'trap')).toBe(1);
  });

  it('fail_open proxies the request; the next request runs a fresh instance', async () => {
    const first = await alongsidePlain('/trap-open/a');
    expectProxied(first.answer, '/trap-open/a');
    expect(first.plainStatuses.every((s) => s === 200)).toBe(true);
    expectProxied(await get('/trap-open/b'), '/trap-open/b');
    // Two requests, two faults: each ran the guest (the instance was re-created) and trapped.
    expect(await faults('trap-open', 'trap')).toBe(2);
  });

  it('repeated faults open the circuit: the guest stops running and requests get on_error at once', async () => {
    // One keep-alive connection: every request lands on the same worker (circuits are per worker).
    const client = new Client(gw.url, { pipelining: 1 });
    const workers = new Set<string>();
    const send = async (): Promise<Answer> => {
      const res = await within(client.request({ path: '/circuit/x', method: 'GET' }), HOSTILE_BOUND_MS, 'circuit request');
      const id = res.headers['x-gatehouse-request-id'];
      if (typeof id === 'string') workers.add(id.slice(8, 10));
      return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
    };
    try {
      for (let i = 0; i < CIRCUIT_FAULTS; i++) expectFailClosed(await send());
      expect(await faults('circuit', 'trap')).toBe(CIRCUIT_FAULTS);
      await waitFor(() => filterLog('circuit').filter((l) => l.msg === 'circuit guest ran').length === CIRCUIT_FAULTS, 5_000, 'guest log lines');
      expect(filterLog('circuit').some((l) => l.msg.startsWith('circuit opened'))).toBe(true);

      for (let i = 0; i < 3; i++) expectFailClosed(await send());
      expect(workers.size).toBe(1);
      expect(await faults('circuit', 'circuit_open')).toBe(3);
      // No new trap and no new log line: the guest did not run while the circuit is open.
      expect(await faults('circuit', 'trap')).toBe(CIRCUIT_FAULTS);
      expect(filterLog('circuit').filter((l) => l.msg === 'circuit guest ran').length).toBe(CIRCUIT_FAULTS);
    } finally {
      await client.close();
    }
    // Other routes are untouched by this filter's open circuit.
    expect((await get('/plain/after-circuit')).status).toBe(200);
  });
});

describe('faults on the response side', () => {
  it('a trap in the response-headers callback: fail_closed replaces the upstream response with 500', async () => {
    const { answer, plainStatuses } = await alongsidePlain('/trap-response/x');
    expectFailClosed(answer);
    expect(plainStatuses.every((s) => s === 200)).toBe(true);
    expect(await faults('trap-response', 'trap')).toBe(1);
  });

  it('a trap in the response-headers callback: fail_open passes the upstream response on', async () => {
    const { answer } = await alongsidePlain('/trap-response-open/x');
    expectProxied(answer, '/trap-response-open/x');
    expect(await faults('trap-response-open', 'trap')).toBe(1);
  });

  it('an infinite loop in the response-body callback: fuel fault, 500 before any body byte left', async () => {
    const { answer, plainStatuses } = await alongsidePlain('/loop-body/x');
    expectFailClosed(answer);
    expect(plainStatuses.every((s) => s === 200)).toBe(true);
    expect(await faults('loop-body', 'fuel')).toBe(1);
  });
});

describe('out-of-bounds pointers', () => {
  it('handed to hostcalls: each call returns InvalidMemoryAccess, no fault, the request is proxied', async () => {
    const { answer, plainStatuses } = await alongsidePlain('/oob-hostcalls/x');
    const echo = expectProxied(answer, '/oob-hostcalls/x');
    expect(echo.headers['x-key']).toBeUndefined();
    expect(plainStatuses.every((s) => s === 200)).toBe(true);
    await waitFor(() => filterLog('oob-hostcalls').length > 0, 5_000, 'the guest status line');
    expect(statuses(filterLog('oob-hostcalls')[0]?.msg ?? '')).toEqual([6, 6, 6, 6, 6, 6, 6, 6]);
    expect(metricValue(await metricsText(gw.adminUrl), 'gatehouse_wasm_faults_total', { filter: 'oob-hostcalls' })).toBe(0);
  });

  it('dereferenced by the guest itself: a trap, 500 and a counted fault', async () => {
    const { answer, plainStatuses } = await alongsidePlain('/oob-load/x');
    expectFailClosed(answer);
    expect(plainStatuses.every((s) => s === 200)).toBe(true);
    expect(await faults('oob-load', 'trap')).toBe(1);
  });
});

describe('a huge header value', () => {
  it('is refused with BadArgument for a header and for a local response; the request goes on without it', async () => {
    const { answer, plainStatuses } = await alongsidePlain('/huge/x');
    const echo = expectProxied(answer, '/huge/x');
    expect(echo.headers['x-huge']).toBeUndefined();
    expect(plainStatuses.every((s) => s === 200)).toBe(true);
    await waitFor(() => filterLog('huge').length > 0, 5_000, 'the guest status line');
    expect(statuses(filterLog('huge')[0]?.msg ?? '')).toEqual([2, 2]);
    expect(metricValue(await metricsText(gw.adminUrl), 'gatehouse_wasm_faults_total', { filter: 'huge' })).toBe(0);
  });
});

describe('a Pause that never continues', () => {
  it('is ended by the pause timeout with 500 and a timeout fault; the plain route serves meanwhile', async () => {
    const before = upstream.received.length;
    const { answer, plainStatuses, plainBeforeAnswer } = await alongsidePlain('/pause/x');
    expectFailClosed(answer);
    expect(plainStatuses.every((s) => s === 200)).toBe(true);
    // The worker was never blocked: plain requests were answered while the paused one waited.
    expect(plainBeforeAnswer).toBeGreaterThanOrEqual(3);
    expect(await faults('pause', 'timeout')).toBe(1);
    // Only the plain requests reached the upstream.
    expect(upstream.received.slice(before).every((r) => r.url.startsWith('/plain/'))).toBe(true);
  });
});
