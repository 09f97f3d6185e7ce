/**
 * `gatehouse plugin test` scripts: scripted requests run through the harness (the real host,
 * no server) and compared with expectations. A script is YAML or JSON, either a list of
 * steps or `{ config?, steps }`:
 *
 *   config: { deny_prefix: /private }          # the filter's configuration (optional)
 *   steps:
 *     - request:  { method: GET, path: /x, headers: { a: b }, body: "..." }
 *       response: { status: 200, headers: {}, body: "..." }     # upstream, optional
 *       expect:   { status: 200, localResponse: false | { status?, body?, headers? },
 *                   requestHeaders: { x-a: "1", x-gone: null }, responseHeaders: {...} }
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { Harness, RunResult, ScriptedRequest, ScriptedResponse } from '../../../sdk/harness/index.js';

type HeaderExpect = Readonly<Record<string, string | readonly string[] | null>>;
type Headers = Readonly<Record<string, string | string[]>>;

export interface StepExpect {
  readonly status?: number;
  /** false: no local response; true: any; an object: a local response matching it. */
  readonly localResponse?: boolean | { readonly status?: number; readonly body?: string; readonly headers?: HeaderExpect };
  /** Headers of the request as forwarded upstream; null = must be absent. */
  readonly requestHeaders?: HeaderExpect;
  /** Headers sent to the client (the local response's when there is one). */
  readonly responseHeaders?: HeaderExpect;
}

export interface ScriptStep {
  readonly request?: { readonly method?: string; readonly path?: string; readonly headers?: Record<string, string | string[]>; readonly body?: string };
  readonly response?: { readonly status: number; readonly headers?: Record<string, string | string[]>; readonly body?: string };
  readonly expect?: StepExpect;
}

export interface Script {
  readonly config?: Record<string, unknown> | string;
  readonly steps: readonly ScriptStep[];
}

export class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const STEP_KEYS = new Set(['request', 'response', 'expect']);
const EXPECT_KEYS = new Set(['status', 'localResponse', 'requestHeaders', 'responseHeaders']);

/** Shape-check a parsed script; errors name the step and field. */
export function toScript(raw: unknown, source: string): Script {
  const obj = Array.isArray(raw) ? { steps: raw } : raw;
  if (!isObject(obj) || !Array.isArray(obj['steps'])) throw new ScriptError(`${source}: expected a list of steps or { config, steps }`);
  const config = obj['config'];
  if (config !== undefined && typeof config !== 'string' && !isObject(config)) throw new ScriptError(`${source}: config must be an object or a string`);
  const steps = obj['steps'] as unknown[];
  steps.forEach((step, i) => {
    const at = `${source}: steps[${i}]`;
    if (!isObject(step)) throw new ScriptError(`${at}: expected an object`);
    for (const k of Object.keys(step)) if (!STEP_KEYS.has(k)) throw new ScriptError(`${at}: unknown field "${k}"`);
    if (step['request'] !== undefined && !isObject(step['request'])) throw new ScriptError(`${at}.request: expected an object`);
    const response = step['response'];
    if (response !== undefined && (!isObject(response) || typeof response['status'] !== 'number')) {
      throw new ScriptError(`${at}.response: expected an object with a numeric status`);
    }
    const expect = step['expect'];
    if (expect !== undefined) {
      if (!isObject(expect)) throw new ScriptError(`${at}.expect: expected an object`);
      for (const k of Object.keys(expect)) if (!EXPECT_KEYS.has(k)) throw new ScriptError(`${at}.expect: unknown field "${k}"`);
    }
  });
  return { ...(config === undefined ? {} : { config: config as Script['config'] & {} }), steps: steps as ScriptStep[] };
}

export async function loadScript(file: string): Promise<Script> {
  const text = await readFile(file, 'utf8');
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ScriptError(`${file}: ${(err as Error).message}`);
  }
  return toScript(raw, file);
}

/** The script used when a plugin has none: one GET that must not fault. */
export const SMOKE_SCRIPT: Script = { steps: [{ request: { method: 'GET', path: '/' } }] };

function show(v: unknown): string {
  return v === undefined ? 'absent' : JSON.stringify(v);
}

function headerDiffs(where: string, expected: HeaderExpect | undefined, actual: Headers | undefined): string[] {
  if (expected === undefined) return [];
  const out: string[] = [];
  for (const [rawName, want] of Object.entries(expected)) {
    const name = rawName.toLowerCase();
    const got = actual?.[name];
    if (want === null) {
      if (got !== undefined) out.push(`${where} ${name}: expected absent, got ${show(got)}`);
      continue;
    }
    const same = Array.isArray(want)
      ? Array.isArray(got) && got.length === want.length && got.every((g, i) => g === want[i])
      : got === want || (Array.isArray(got) && got.join(', ') === want);
    if (!same) out.push(`${where} ${name}: expected ${show(want)}, got ${show(got)}`);
  }
  return out;
}

/** Every difference between a step's expectations and the harness result (empty = pass). */
export function stepDifferences(expect: StepExpect, r: RunResult): string[] {
  const out: string[] = [];
  if (r.fault !== null) out.push(`fault ${r.fault.kind}: ${r.fault.message}`);
  const local = r.localResponse;
  const status = local?.status ?? r.response?.status;
  if (expect.status !== undefined && status !== expect.status) out.push(`status: expected ${expect.status}, got ${show(status)}`);
  const lr = expect.localResponse;
  if (lr === false && local !== null) out.push(`localResponse: expected none, got ${local.status} ${show(local.body)}`);
  if (lr === true && local === null) out.push('localResponse: expected one, got none');
  if (isObject(lr)) {
    if (local === null) out.push('localResponse: expected one, got none');
    else {
      if (lr.status !== undefined && local.status !== lr.status) out.push(`localResponse.status: expected ${lr.status}, got ${local.status}`);
      if (lr.body !== undefined && local.body !== lr.body) out.push(`localResponse.body: expected ${show(lr.body)}, got ${show(local.body)}`);
      out.push(...headerDiffs('localResponse header', lr.headers, local.headers));
    }
  }
  if (expect.requestHeaders !== undefined && local !== null && r.stoppedAt === 'request_headers') {
    out.push('requestHeaders: the request never went upstream (local response)');
  } else {
    out.push(...headerDiffs('request header', expect.requestHeaders, r.request.headers));
  }
  out.push(...headerDiffs('response header', expect.responseHeaders, local?.headers ?? r.response?.headers));
  return out;
}

export interface StepOutcome {
  readonly index: number;
  readonly label: string;
  readonly differences: readonly string[];
}

function toRequest(step: ScriptStep): ScriptedRequest {
  const q = step.request ?? {};
  const response: ScriptedResponse | undefined = step.response;
  return {
    method: q.method ?? 'GET',
    path: q.path ?? '/',
    ...(q.headers === undefined ? {} : { headers: q.headers }),
    ...(q.body === undefined ? {} : { body: q.body }),
    ...(response === undefined ? {} : { response }),
  };
}

/** Run every step in order on one harness (state such as shared data carries over). */
export async function runScript(harness: Harness, script: Script): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  for (const [index, step] of script.steps.entries()) {
    const req = toRequest(step);
    const label = `${req.method ?? 'GET'} ${req.path ?? '/'}`;
    let differences: string[];
    try {
      differences = stepDifferences(step.expect ?? {}, await harness.run(req));
    } catch (err) {
      differences = [`threw: ${(err as Error).message}`];
    }
    outcomes.push({ index: index + 1, label, differences });
  }
  return outcomes;
}
