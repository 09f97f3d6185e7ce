import { describe, expect, it } from 'vitest';
import { compileRouter, literalStart } from '../../../core/router/compile.js';
import { PATH_KIND } from '../../../core/router/table.js';
import { makeRoute, routerFor } from './make-route.js';

describe('router prefix paths', () => {
  it('is a plain string prefix: /foo matches /foobar', () => {
    const { match, result } = routerFor([{ paths: ['/foo'] }]);
    expect(match({ path: '/foobar' })).toBe('r0');
    expect(result.pathLength).toBe(4);
    expect(match({ path: '/fo' })).toBeNull();
    expect(match({ path: '/bar/foo' })).toBeNull();
  });

  it('finds each prefix among ones sharing edges, whatever the insertion order', () => {
    const { match, result } = routerFor([
      { paths: ['/apple'] },
      { paths: ['/api'] },
      { paths: ['/ap'] },
      { paths: ['/api/v2/items'] },
      { paths: ['/api/v1'] },
    ]);
    expect(match({ path: '/apple/pie' })).toBe('r0');
    expect(match({ path: '/api' })).toBe('r1');
    expect(match({ path: '/apx' })).toBe('r2');
    expect(match({ path: '/api/v2/items/3' })).toBe('r3');
    expect(result.pathLength).toBe(13);
    expect(match({ path: '/api/v2/item' })).toBe('r1');
    expect(match({ path: '/api/v1/x' })).toBe('r4');
    expect(match({ path: '/a' })).toBeNull();
  });

  it('stores prefixes in a radix tree with shared edges', () => {
    const table = compileRouter([
      makeRoute('a', { paths: ['/api/users'] }),
      makeRoute('b', { paths: ['/api/orders'] }),
    ]);
    expect(table.nodes.map((n) => n.label)).toEqual(['', '/api/', 'orders', 'users']);
    expect(table.nodes[1]?.firstChars).toEqual(['o'.charCodeAt(0), 'u'.charCodeAt(0)]);
  });

  it('a route without paths matches every path with pathLength 0', () => {
    const { match, result } = routerFor([{ hosts: ['a.com'] }]);
    expect(match({ host: 'a.com', path: '/anything/at/all' })).toBe('r0');
    expect(result.pathLength).toBe(0);
  });
});

describe('router regex paths', () => {
  it('anchors at the start, not at the end, and reports the match length', () => {
    const { match, result } = routerFor([{ paths: ['~/users/\\d+'] }]);
    expect(match({ path: '/users/123/profile' })).toBe('r0');
    expect(result.pathLength).toBe('/users/123'.length);
    expect(match({ path: '/api/users/123' })).toBeNull();
    expect(match({ path: '/users/abc' })).toBeNull();
  });

  it('anchors every alternative of a top-level alternation', () => {
    const { match } = routerFor([{ paths: ['~/a|/b'] }]);
    expect(match({ path: '/b/x' })).toBe('r0');
    expect(match({ path: '/x/b' })).toBeNull();
  });

  it('exposes named and numbered groups through uriCaptures', () => {
    const { matcher, match, result } = routerFor([{ paths: ['~/users/(?<id>\\d+)/(\\w+)'] }]);
    expect(match({ path: '/users/42/posts' })).toBe('r0');
    const m = matcher.uriCaptures(result.entry, '/users/42/posts');
    expect(m?.[0]).toBe('/users/42/posts');
    expect(m?.groups?.['id']).toBe('42');
    expect(m?.[2]).toBe('posts');
  });

  it('accepts the PCRE/Rust (?P<name>…) spelling', () => {
    const { matcher, match, result } = routerFor([{ paths: ['~/v(?P<ver>\\d)/'] }]);
    expect(match({ path: '/v2/x' })).toBe('r0');
    expect(matcher.uriCaptures(result.entry, '/v2/x')?.groups?.['ver']).toBe('2');
  });

  it('uriCaptures is null for a prefix entry', () => {
    const { matcher, match, result } = routerFor([{ paths: ['/p'] }]);
    expect(match({ path: '/p' })).toBe('r0');
    expect(matcher.uriCaptures(result.entry, '/p')).toBeNull();
  });

  it('keeps the regex source anchored with ^ and without the ~, keyed by its literal start', () => {
    const table = compileRouter([makeRoute('r', { paths: ['~/x/\\d+$'] })]);
    expect(table.entries[0]).toMatchObject({ pathKind: PATH_KIND.REGEX, path: '^/x/\\d+$', key: '/x/' });
    expect(table.nodes.map((n) => [n.label, n.entries])).toEqual([['', []], ['/x/', [0]]]);
  });

  it.each([
    ['^/users/(?<id>\\d+)', '/users/'],
    ['^/v\\.1/\\d', '/v.1/'],
    ['^/[0]?route', '/'],
    ['^/ab?c', '/a'],
    ['^/ab*c', '/a'],
    ['^/ab{2}', '/a'],
    ['^/ab+c', '/ab'],
    ['^/a\\/b.c', '/a/b'],
    ['^/a|/b', ''],
    ['^(?:/x)', ''],
    ['^.*', ''],
    ['^/plain$', '/plain'],
  ])('literal start of %s is %j', (source, want) => {
    expect(literalStart(source)).toBe(want);
  });

  it('tests a regex only where its literal start fits, yet still matches like Kong', () => {
    const { match, result } = routerFor([
      { paths: ['~/files/(?<name>[^/]+)\\.txt$'] },
      { paths: ['~/fi'] },
      { paths: ['~(?:/opt)?/files'] },
    ]);
    expect(match({ path: '/files/a.txt' })).toBe('r0');
    expect(match({ path: '/files/a.bin' })).toBe('r1');
    expect(result.pathLength).toBe(3);
    expect(match({ path: '/opt/files/a.bin' })).toBe('r2');
    expect(match({ path: '/f' })).toBeNull();
  });

  it('an invalid regex path is a compile error naming the route', () => {
    expect(() => compileRouter([makeRoute('id-1', { name: 'users', paths: ['~/users/(\\d+'] })])).toThrow(
      /route users: invalid regex in path/,
    );
  });
});
