/**
 * The request head writer: exact bytes, framing decided from the body (never from a
 * framing header in the list), and nothing that could split the head ever written.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildRequestHead, Framing, lastHead } from '../../../../core/proxy/http1/request-head.js';

const HEADERS = ['host', 'api.test', 'accept', '*/*'];

describe('request head', () => {
  it('writes method, path, headers in order and the blank line', () => {
    expect(buildRequestHead('GET', '/a/b?c=d', HEADERS, null)).toBe('GET /a/b?c=d HTTP/1.1\r\nhost: api.test\r\naccept: */*\r\n\r\n');
    expect(lastHead.framing).toBe(Framing.NONE);
  });

  it('sends content-length: 0 for POST, PUT and PATCH without a body (as undici did)', () => {
    for (const method of ['POST', 'PUT', 'PATCH']) {
      expect(buildRequestHead(method, '/', HEADERS, null)).toBe(`${method} / HTTP/1.1\r\nhost: api.test\r\naccept: */*\r\ncontent-length: 0\r\n\r\n`);
      expect(lastHead.framing).toBe(Framing.LENGTH);
      expect(lastHead.length).toBe(0);
    }
    expect(buildRequestHead('DELETE', '/', HEADERS, null)).toBe('DELETE / HTTP/1.1\r\nhost: api.test\r\naccept: */*\r\n\r\n');
  });

  it('frames a Buffer body by its length, whatever framing header the list carries', () => {
    const head = buildRequestHead('POST', '/', [...HEADERS, 'Content-Length', '999', 'transfer-encoding', 'chunked'], Buffer.from('hello'));
    expect(head).toBe('POST / HTTP/1.1\r\nhost: api.test\r\naccept: */*\r\ncontent-length: 5\r\n\r\n');
    expect(lastHead.framing).toBe(Framing.LENGTH);
  });

  it('frames a stream by its declared content-length, else chunked', () => {
    const stream = Readable.from([]);
    expect(buildRequestHead('PUT', '/u', ['content-length', '1024'], stream)).toBe('PUT /u HTTP/1.1\r\ncontent-length: 1024\r\n\r\n');
    expect(lastHead).toEqual({ framing: Framing.LENGTH, length: 1024 });
    expect(buildRequestHead('PUT', '/u', ['x-a', 'b'], stream)).toBe('PUT /u HTTP/1.1\r\nx-a: b\r\ntransfer-encoding: chunked\r\n\r\n');
    expect(lastHead).toEqual({ framing: Framing.CHUNKED, length: -1 });
    expect(buildRequestHead('PUT', '/u', ['content-length', 'nope'], stream)).toContain('transfer-encoding: chunked');
  });

  it('lets Latin-1 obs-text through (as undici did)', () => {
    expect(buildRequestHead('GET', '/caf\u00e9', ['x-name', 'Jos\u00e9'], null)).toBe('GET /caf\u00e9 HTTP/1.1\r\nx-name: Jos\u00e9\r\n\r\n');
  });

  it.each([
    ['CR in a value', 'GET', '/', ['x-a', 'a\rb']],
    ['LF in a value', 'GET', '/', ['x-a', 'a\nx-injected: 1']],
    ['NUL in a value', 'GET', '/', ['x-a', 'a\0b']],
    ['DEL in a value', 'GET', '/', ['x-a', 'a\x7fb']],
    // uWS decodes header bytes as UTF-8; U+010A written as latin1 would be an LF.
    ['U+010A in a value', 'GET', '/', ['x-a', 'a\u010ax-injected: 1']],
    ['space in a name', 'GET', '/', ['x a', 'b']],
    ['colon in a name', 'GET', '/', ['x:a', 'b']],
    ['empty name', 'GET', '/', ['', 'b']],
    ['CRLF in a name', 'GET', '/', ['x-a\r\nx-b', 'c']],
    ['space in the path', 'GET', '/a b', []],
    ['CRLF in the path', 'GET', '/a\r\nx: y', []],
    ['U+010A in the path', 'GET', '/a\u010a', []],
    ['empty path', 'GET', '', []],
    ['space in the method', 'GE T', '/', []],
    ['empty method', '', '/', []],
  ])('refuses %s', (_what, method, path, headers) => {
    expect(buildRequestHead(method, path, headers, null)).toBeNull();
  });
});
