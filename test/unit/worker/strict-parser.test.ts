/**
 * The strict front's parser pieces without sockets: the head scanner and the chunked
 * decoder give the same verdict whether a request arrives whole or one byte per read
 * (every case of the front corpus), the chunked decoder's rules one by one, and the
 * framing and Host rules of framing.ts / http-chars.ts.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/lib/errors.js';
import { isValidHost } from '../../../core/lib/http-chars.js';
import { BODY_CHUNKED, BODY_LENGTH, BODY_NONE, Framing, readFraming } from '../../../core/worker/framing.js';
import { ChunkedDecoder } from '../../../core/worker/strict/chunked-decoder.js';
import { HEAD_INCOMPLETE, HEAD_INVALID, HeadScanner, parseHead } from '../../../core/worker/strict/head-parser.js';
import { StrictRequest } from '../../../core/worker/strict/request.js';
import { FRONT_CASES, caseParts } from '../../fixtures/front-cases.js';

/** What the strict front makes of the first request in `bytes`, reading `step` bytes at a time. */
function verdict(bytes: Buffer, step: number): string {
  const scanner = new HeadScanner();
  let end = HEAD_INCOMPLETE;
  for (let i = 0; i < bytes.length && end === HEAD_INCOMPLETE; i += step) end = scanner.scan(bytes, i, Math.min(bytes.length, i + step));
  if (end === HEAD_INVALID) return 'refused: scan';
  if (end === HEAD_INCOMPLETE) return 'incomplete head';
  const req = new StrictRequest();
  const framing = new Framing();
  const code = parseHead(bytes, 0, end, req, framing);
  if (code !== null) return `refused: ${code} (${framing.reason})`;
  const head = `${req.method} ${req.url}${req.query === undefined ? '' : `?${req.query}`} ${JSON.stringify(req.headers)} keepAlive=${req.keepAlive}`;
  if (framing.body === BODY_LENGTH) return `${head} body=${bytes.toString('latin1', end, end + framing.length)}`;
  if (framing.body !== BODY_CHUNKED) return head;
  const decoder = new ChunkedDecoder();
  const spans: number[] = [];
  let at = end;
  for (let i = end; i < bytes.length && !decoder.done; i += step) {
    const to = Math.min(bytes.length, i + step);
    if (at > i) continue; // consumed already
    const next = decoder.feed(bytes, at, to, spans);
    if (next < 0) return `${head} body refused: ${decoder.reason}`;
    at = next;
  }
  let body = '';
  for (let i = 0; i < spans.length; i += 2) body += bytes.toString('latin1', spans[i], spans[i + 1]);
  return `${head} body=${body}${decoder.done ? '' : ' (incomplete)'}`;
}

describe('strict parser over the front corpus', () => {
  it.each(FRONT_CASES.map((c) => [c.id, Buffer.concat(caseParts(c))] as const))('%s: same verdict whole and byte by byte', (_id, bytes) => {
    const whole = verdict(bytes, bytes.length);
    expect(verdict(bytes, 1)).toBe(whole);
    expect(verdict(bytes, 7)).toBe(whole);
  });

  it('refuses at once what can never start a request (no wait for a CRLF)', () => {
    const scanner = new HeadScanner();
    expect(scanner.scan(Buffer.from([0x16, 0x03, 0x01]), 0, 3)).toBe(HEAD_INVALID);
    scanner.reset();
    expect(scanner.scan(Buffer.from(' GET'), 0, 4)).toBe(HEAD_INVALID);
    scanner.reset();
    expect(scanner.scan(Buffer.from('GET / HTTP/1.1\n'), 0, 15)).toBe(HEAD_INVALID);
  });
});

describe('chunked decoder', () => {
  function decode(text: string): string {
    const buf = Buffer.from(text, 'latin1');
    const d = new ChunkedDecoder();
    const spans: number[] = [];
    const next = d.feed(buf, 0, buf.length, spans);
    if (next < 0) return `error: ${d.reason}`;
    let body = '';
    for (let i = 0; i < spans.length; i += 2) body += buf.toString('latin1', spans[i], spans[i + 1]);
    return `${body}|done=${d.done}|rest=${buf.toString('latin1', next)}`;
  }

  it('decodes chunks, extensions and trailers, and stops where the body ends', () => {
    expect(decode('3\r\nabc\r\n0\r\n\r\nGET')).toBe('abc|done=true|rest=GET');
    expect(decode('3;a=b\r\nabc\r\n2\r\nde\r\n0\r\nX: 1\r\nY: 2\r\n\r\n')).toBe('abcde|done=true|rest=');
    expect(decode('3\r\nab')).toBe('ab|done=false|rest=');
  });

  it('refuses what uWS let through', () => {
    expect(decode('3\r\nabcXX0\r\n\r\n')).toBe('error: chunk data not followed by CRLF');
    expect(decode('3\r\nabc\r\n0\r\nGET / HTTP/1.1\r\n\r\n')).toBe('error: trailer field name is not a token followed by a colon');
    expect(decode('3 \r\nabc\r\n0\r\n\r\n')).toBe('error: chunk-size followed by something other than ; or CRLF');
    expect(decode('fffffffffffffff\r\n')).toBe('error: chunk-size too large');
    expect(decode(`1;${'x'.repeat(5000)}\r\n`)).toBe('error: chunk-size line too long');
  });
});

describe('framing rules (nginx 1.22)', () => {
  function frame(headers: string[], http10 = false, authority = false): string {
    const f = new Framing();
    if (!readFraming(headers, http10, authority, f)) return `${f.error}: ${f.reason}`;
    return f.body === BODY_NONE ? 'none' : f.body === BODY_LENGTH ? `length ${f.length}` : 'chunked';
  }

  it('decides the body', () => {
    expect(frame(['host', 'a'])).toBe('none');
    expect(frame(['host', 'a', 'content-length', '0'])).toBe('none');
    expect(frame(['host', 'a', 'content-length', '12'])).toBe('length 12');
    expect(frame(['host', 'a', 'transfer-encoding', 'Chunked'])).toBe('chunked');
  });

  it('refuses ambiguous framing', () => {
    expect(frame(['host', 'a', 'content-length', '1', 'content-length', '1'])).toBe(`${ErrorCode.BAD_REQUEST}: repeated Content-Length`);
    expect(frame(['host', 'a', 'transfer-encoding', 'chunked', 'content-length', '1'])).toBe(`${ErrorCode.BAD_REQUEST}: Content-Length with Transfer-Encoding`);
    expect(frame(['host', 'a', 'transfer-encoding', 'gzip, chunked'])).toBe(`${ErrorCode.NOT_IMPLEMENTED}: Transfer-Encoding other than chunked`);
    expect(frame(['host', 'a', 'transfer-encoding', 'chunked'], true)).toBe(`${ErrorCode.BAD_REQUEST}: Transfer-Encoding in an HTTP/1.0 request`);
    expect(frame(['host', 'a', 'host', 'b'])).toBe(`${ErrorCode.BAD_REQUEST}: repeated Host`);
    expect(frame([])).toBe(`${ErrorCode.BAD_REQUEST}: HTTP/1.1 request without Host`);
    expect(frame([], true)).toBe('none');
    expect(frame([], false, true)).toBe('none');
  });

  it('validates Host like nginx', () => {
    for (const ok of ['a', 'gw.test', 'gw.test.', 'gw.test:8000', '[::1]', '[::1]:80', '10.0.0.1:1', 'xn--d1acpjx3f.xn--p1ai', 'a_b']) expect(isValidHost(ok), ok).toBe(true);
    for (const bad of ['', '.a', 'a..b', 'a/b', 'a\\b', 'u@a', 'a b', 'a:', 'a:80x', 'a:123456', '[::1', '[zz]', 'a\x00']) expect(isValidHost(bad), bad).toBe(false);
  });
});
