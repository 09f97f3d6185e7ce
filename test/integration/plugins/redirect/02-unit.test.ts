/**
 * redirect's Location: Kong's typedefs.url check, and keep_incoming_path joined by string
 * concatenation giving exactly what the WHATWG URL setters (Kong's ada) give.
 */
import { describe, expect, it } from 'vitest';
import { handler } from '../../../../core/plugins/redirect/handler.js';
import { locationParts, urlProblem } from '../../../../core/plugins/redirect/location.js';
import type { PluginEnv } from '../../../../core/plugins/contract.js';
import { FakeRequest } from '../../../helpers/fake-request.js';

describe('urlProblem (Kong typedefs.url)', () => {
  it.each([
    ['https://example.com', null],
    ['http://u:p@example.com:8080/a?b#c', null],
    ['someapp://path', null],
    ['example.com', 'missing host in url'],
    ['example.com:8080/path', 'missing host in url'],
    ['https:/example.com', 'missing host in url'],
    ['//example.com', 'missing scheme in url'],
    ['https://:80/x', 'missing host in url'],
  ])('%s', (url, problem) => {
    expect(urlProblem(url)).toBe(problem);
  });
});

function viaSetters(location: string, path: string, query: string): string {
  const u = new URL(location);
  u.pathname = path;
  u.search = query;
  return u.href;
}

function viaHandler(location: string, path: string, query: string): string {
  const parts = locationParts(location);
  if (parts === null) throw new Error('unparseable');
  const req = new FakeRequest({ path, query });
  handler.create({ status: 301, location, prefix: parts.prefix, hash: parts.hash }, {} as PluginEnv, undefined).access?.(req.req, 0);
  const headers = req.exitedWith?.headers ?? [];
  return headers[1] as string;
}

describe('keep_incoming_path', () => {
  const locations = ['https://example.com/some_path?foo=bar', 'http://user:pw@example.com:8080/a/b#frag', 'someapp://host/x?y', 'https://EXAMPLE.com'];
  const requests: [string, string][] = [
    ['/status/200', 'keep=this'],
    ['/', ''],
    ['/a%2Fb/c', 'x=%20&y'],
    ['/spaced path', 'q="x"'],
    ['/ü', 'k=ü'],
    ['/a?b', "it's"],
    ['/{x}', '?lead'],
    ['/back\\slash', 'a<b'],
  ];
  for (const location of locations) {
    it.each(requests)(`${location} + %s ? %s matches the URL setters`, (path, query) => {
      expect(viaHandler(location, path, query)).toBe(viaSetters(location, path, query));
    });
  }

  it('sends Kong\'s redirect: the status, the Location and the body "redirecting"', () => {
    const req = new FakeRequest({ path: '/status/200', query: 'keep=this' });
    handler.create({ status: 302, location: 'https://example.com/some_path?foo=bar', prefix: 'https://example.com', hash: '' }, {} as PluginEnv, undefined).access?.(req.req, 0);
    expect(req.exitedWith).toEqual({ status: 302, body: 'redirecting', headers: ['location', 'https://example.com/status/200?keep=this'] });
  });
});
