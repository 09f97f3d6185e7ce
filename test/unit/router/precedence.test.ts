/**
 * One test per Kong priority rule (see core/router/compile.ts). In each, the route the
 * rule must pick comes *second* in config order, so config order alone would get it wrong.
 */
import { describe, expect, it } from 'vitest';
import { routerFor } from './make-route.js';

describe('router precedence (Kong traditional_compatible)', () => {
  it('rule 1: more matching categories win, over regex, regex_priority and prefix length', () => {
    const { match } = routerFor([
      { paths: ['~/api/v1/.*'], regex_priority: 100 },
      { paths: ['/api'], methods: ['GET'] },
    ]);
    expect(match({ method: 'GET', path: '/api/v1/x' })).toBe('r1');
    expect(match({ method: 'POST', path: '/api/v1/x' })).toBe('r0');
  });

  it('rule 1: categories count methods, hosts, headers and paths alike', () => {
    const { match } = routerFor([
      { paths: ['/a'], methods: ['GET'] },
      { paths: ['/a'], hosts: ['example.com'], headers: { 'x-v': ['1'] } },
    ]);
    expect(match({ path: '/a', headers: ['x-v', '1'] })).toBe('r1');
    expect(match({ path: '/a' })).toBe('r0');
  });

  it('rule 2: plain hosts only beat wildcard hosts, even with fewer headers', () => {
    const { match } = routerFor([
      { hosts: ['*.example.com'], headers: { a: ['1'], b: ['2'] } },
      { hosts: ['api.example.com'], headers: { a: ['1'] } },
    ]);
    expect(match({ host: 'api.example.com', headers: ['a', '1', 'b', '2'] })).toBe('r1');
    expect(match({ host: 'www.example.com', headers: ['a', '1', 'b', '2'] })).toBe('r0');
  });

  it('rule 2: one wildcard among the hosts loses the plain-hosts-only rank', () => {
    const { match } = routerFor([
      { hosts: ['api.example.com', '*.example.org'], paths: ['/long/prefix'] },
      { hosts: ['api.example.com'], paths: ['/'] },
    ]);
    expect(match({ host: 'api.example.com', path: '/long/prefix' })).toBe('r1');
  });

  it('rule 3: more header names win, over regex and prefix length', () => {
    const { match } = routerFor([
      { headers: { a: ['1'] }, paths: ['~/long/path/.*'] },
      { headers: { a: ['1'], b: ['2'] }, paths: ['/'] },
    ]);
    expect(match({ path: '/long/path/x', headers: ['a', '1', 'b', '2'] })).toBe('r1');
    expect(match({ path: '/long/path/x', headers: ['a', '1'] })).toBe('r0');
  });

  it('rule 4: a regex path beats a longer prefix path', () => {
    const { match } = routerFor([{ paths: ['/users/123/profile'] }, { paths: ['~/users/\\d+'] }]);
    expect(match({ path: '/users/123/profile' })).toBe('r1');
    expect(match({ path: '/users/abc' })).toBeNull();
  });

  it('rule 5: higher regex_priority wins among regex paths', () => {
    const { match } = routerFor([
      { paths: ['~/a/.*'], regex_priority: 1 },
      { paths: ['~/a/b'], regex_priority: 5 },
    ]);
    expect(match({ path: '/a/b' })).toBe('r1');
    expect(match({ path: '/a/c' })).toBe('r0');
  });

  it('rule 5: regex_priority is ignored for prefix paths', () => {
    const { match } = routerFor([{ paths: ['/a/long'] }, { paths: ['/a'], regex_priority: 10 }]);
    expect(match({ path: '/a/long/x' })).toBe('r0');
  });

  it('rule 6: the longest matching prefix wins', () => {
    const { match } = routerFor([{ paths: ['/a'] }, { paths: ['/a/b'] }]);
    expect(match({ path: '/a/b/c' })).toBe('r1');
    expect(match({ path: '/a/c' })).toBe('r0');
  });

  it('rule 6: each path of a route has its own priority (routes are split per path)', () => {
    const { match } = routerFor([{ paths: ['/a', '/a/b/c'] }, { paths: ['/a/b'] }]);
    expect(match({ path: '/a/b/c/d' })).toBe('r0');
    expect(match({ path: '/a/b/x' })).toBe('r1');
    expect(match({ path: '/a/x' })).toBe('r0');
  });

  it('rule 7: otherwise config order, for prefixes and for regexes', () => {
    const prefix = routerFor([{ paths: ['/same'] }, { paths: ['/same'] }]);
    expect(prefix.match({ path: '/same' })).toBe('r0');
    const regex = routerFor([{ paths: ['~/x/\\d+'] }, { paths: ['~/x/.*'] }]);
    expect(regex.match({ path: '/x/1' })).toBe('r0');
    const reversed = routerFor([{ paths: ['~/x/.*'] }, { paths: ['~/x/\\d+'] }]);
    expect(reversed.match({ path: '/x/1' })).toBe('r0');
  });
});
