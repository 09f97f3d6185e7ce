/**
 * The access-log line writer: the field set, names and order of the pino line it replaced,
 * numbers as JSON.stringify would print them, and hostile strings (quotes, control
 * characters, non-ASCII, invalid UTF-16) that still give one valid, ASCII-only JSON line.
 */
import { describe, expect, it } from 'vitest';
import { AccessLineWriter, type AccessFacts, msText } from '../../../core/observe/access-line.js';
import { coarseNow } from '../../../core/lib/clock.js';
import { asciiJson, jsonQuote } from '../../../core/lib/json-quote.js';

const FIELDS = [
  'level', 'time', 'worker', 'request_id', 'client_ip', 'method', 'path', 'status', 'route', 'service', 'consumer',
  'upstream_uri', 'tries', 'latencies', 'bytes_in', 'bytes_out', 'msg',
];

function facts(over: Partial<AccessFacts> = {}): AccessFacts {
  return {
    requestId: '47f473af0000000001',
    remoteAddress: '127.0.0.1',
    method: 'POST',
    url: '/hello/there',
    status: 200,
    tries: 1,
    bytesIn: 12,
    bytesOut: 11,
    startTime: 1000,
    upstreamStart: 1000.25,
    upstreamFirstByte: 1001.5,
    upstreamPath: '/base/there?x=1',
    route: { name: 'hello-route' },
    service: { config: { name: 'hello-svc' } },
    consumer: null,
    ...over,
  };
}

const writer = new AccessLineWriter(3);

/** Writes one line and checks what every line must be: one line, ASCII, valid JSON. */
function parsed(f: AccessFacts, end = 1002.125, extra: Record<string, unknown> | null = null): Record<string, unknown> {
  const line = writer.line(f, end, extra);
  expect(line.endsWith('\n')).toBe(true);
  expect(line.indexOf('\n')).toBe(line.length - 1);
  expect(/^[\x20-\x7e]*\n$/.test(line)).toBe(true);
  return JSON.parse(line) as Record<string, unknown>;
}

/** Every UTF-16 code unit class a path or name may carry. */
const HOSTILE = [
  '/a"b',
  '/back\\slash',
  '/tab\there',
  '/nl\nline',
  '/cr\r/ff\f/bs\b',
  `/ctl${Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('')}`,
  '/del\u007f',
  '/caf\u00e9/\u65e5\u672c',
  '/emoji/\ud83d\ude00',
  '/lone-high/\ud800',
  '/lone-low/\udc00x',
  '/reversed/\udc00\ud800',
  '/line-sep\u2028\u2029',
  '/bom\ufeff\uffff',
  '"}],"status":1,"x":{"',
];

describe('access line', () => {
  it('has the pino line\'s fields, in its order, with Kong\'s names and the same values', () => {
    const line = parsed(facts());
    expect(Object.keys(line)).toEqual(FIELDS);
    expect(line).toEqual({
      level: 30,
      time: coarseNow(),
      worker: 3,
      request_id: '47f473af0000000001',
      client_ip: '127.0.0.1',
      method: 'POST',
      path: '/hello/there',
      status: 200,
      route: 'hello-route',
      service: 'hello-svc',
      consumer: null,
      upstream_uri: '/base/there?x=1',
      tries: 1,
      latencies: { request: 2.125, kong: 0.25, proxy: 1.25 },
      bytes_in: 12,
      bytes_out: 11,
      msg: 'access',
    });
    expect(Object.keys(line['latencies'] as object)).toEqual(['request', 'kong', 'proxy']);
  });

  it('a local answer: null route, service, upstream_uri and proxy latency; kong latency is the whole request', () => {
    const line = parsed(facts({ route: null, service: null, upstreamStart: 0, upstreamFirstByte: 0, status: 404, tries: 0 }), 1000.5);
    expect(line).toMatchObject({ status: 404, route: null, service: null, upstream_uri: null, tries: 0, latencies: { request: 0.5, kong: 0.5, proxy: null } });
  });

  it('an upstream that never answered: a proxy latency of null', () => {
    expect(parsed(facts({ upstreamFirstByte: 0, status: 502 }))['latencies']).toMatchObject({ proxy: null });
  });

  it('the consumer block: id, username, custom_id', () => {
    const logEntry = Object.freeze({ id: 'c-1', username: 'J\u00f6rg "the" user', custom_id: null });
    expect(parsed(facts({ consumer: { logEntry } }))['consumer']).toEqual(logEntry);
    // Served from the per-consumer cache the second time: the same text.
    expect(parsed(facts({ consumer: { logEntry } }))['consumer']).toEqual(logEntry);
  });

  it('hostile paths, methods, route and service names come back exactly from JSON.parse', () => {
    for (const s of HOSTILE) {
      const line = parsed(facts({ url: s, upstreamPath: `${s}?q=${s}`, method: s, route: { name: s }, service: { config: { name: s } } }));
      expect(line['path']).toBe(s);
      expect(line['upstream_uri']).toBe(`${s}?q=${s}`);
      expect(line['method']).toBe(s);
      expect(line['route']).toBe(s);
      expect(line['service']).toBe(s);
      expect(Object.keys(line)).toEqual(FIELDS);
    }
  });

  it('random UTF-16 (any code unit) always gives a parseable line with the same string', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0);
    for (let i = 0; i < 2000; i++) {
      const length = next() % 40;
      let s = '/';
      for (let k = 0; k < length; k++) s += String.fromCharCode(next() % 4 === 0 ? next() % 0x10000 : next() % 128);
      expect(parsed(facts({ url: s }))['path']).toBe(s);
    }
  });

  it('latencies: rounded to the microsecond, printed as JSON.stringify prints the rounded number', () => {
    const cases = [0, 0.0004, 0.0005, 0.001, 0.01, 0.1, 0.5, 1, 1.0005, 1.999, 1.9996, 2.125, 10.748, 13.121, 999.9999, 1234.5678, 86_400_000.123, 1e-9];
    let seed = 11;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      cases.push((seed / 0xffffffff) * 10 ** ((seed % 7) - 2));
    }
    for (const ms of cases) expect(msText(ms)).toBe(JSON.stringify(Math.round(ms * 1000) / 1000));
    expect(msText(-1.5)).toBe(JSON.stringify(Math.round(-1500) / 1000));
    expect(msText(Number.NaN)).toBe('null');
    expect(msText(Number.POSITIVE_INFINITY)).toBe('null');
  });

  it('numbers: status, tries and byte counts as integers', () => {
    const line = parsed(facts({ status: 503, tries: 12, bytesIn: 1_048_576, bytesOut: 9_007_199_254_740 }));
    expect(line).toMatchObject({ status: 503, tries: 12, bytes_in: 1_048_576, bytes_out: 9_007_199_254_740 });
  });

  it('logExtra: its fields after the fixed ones, before msg; nothing for null or {}', () => {
    const ai = { plugin: 'ai-proxy', provider: 'openai', usage: { prompt_tokens: 3 }, payload: { request: '{"m":"h\u00e9llo \ud83d\ude00"}' } };
    const line = parsed(facts(), 1002, { ai });
    expect(line['ai']).toEqual(ai);
    expect(Object.keys(line)).toEqual([...FIELDS.slice(0, -1), 'ai', 'msg']);
    expect(Object.keys(parsed(facts(), 1002, {}))).toEqual(FIELDS);
    expect(Object.keys(parsed(facts(), 1002, null))).toEqual(FIELDS);
  });

  it('logExtra that JSON cannot hold: a log_extra_error field, never a throw', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(typeof parsed(facts(), 1002, { cyclic })['log_extra_error']).toBe('string');
    expect(typeof parsed(facts(), 1002, { big: 1n })['log_extra_error']).toBe('string');
  });
});

describe('jsonQuote and asciiJson', () => {
  it('jsonQuote: the plain string as is, in quotes', () => {
    expect(jsonQuote('/hello/world?x=1')).toBe('"/hello/world?x=1"');
    expect(jsonQuote('')).toBe('""');
  });

  it('jsonQuote: JSON.stringify\'s short escapes, \\u00XX for other controls, \\uXXXX beyond ASCII', () => {
    expect(jsonQuote('a"b\\c\n\t\r\b\f')).toBe('"a\\"b\\\\c\\n\\t\\r\\b\\f"');
    expect(jsonQuote('\u0001\u001f\u007f')).toBe('"\\u0001\\u001f\\u007f"');
    expect(jsonQuote('\u00e9\ud800')).toBe('"\\u00e9\\ud800"');
    for (const s of HOSTILE) expect(JSON.parse(jsonQuote(s))).toBe(s);
  });

  it('asciiJson: JSON text with its non-ASCII escaped, the same value', () => {
    const value = { a: 'caf\u00e9', b: ['\ud83d\ude00', '\u2028'], c: 'plain' };
    const text = asciiJson(JSON.stringify(value));
    expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
    expect(JSON.parse(text)).toEqual(value);
    expect(asciiJson('{"a":1}')).toBe('{"a":1}');
  });
});
