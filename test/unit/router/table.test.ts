import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { compileRouter } from '../../../core/router/compile.js';
import { Matcher, MatchResult } from '../../../core/router/match.js';
import type { RouterTable } from '../../../core/router/table.js';
import { makeRoute } from './make-route.js';

describe('RouterTable', () => {
  const routes = [
    makeRoute('a', { paths: ['/api', '~/v(?<n>\\d)/'], hosts: ['*.example.com:8443'], methods: ['GET'] }),
    makeRoute('b', { headers: { 'x-a': ['1', '~*^b'] } }),
  ];

  it('is plain data that survives msgpackr and JSON unchanged', () => {
    const table = compileRouter(routes);
    expect(unpack(pack(table))).toEqual(table);
    expect(JSON.parse(JSON.stringify(table))).toEqual(table);
  });

  it('a matcher built from the decoded table matches like the original', () => {
    const decoded = unpack(pack(compileRouter(routes))) as RouterTable;
    const matcher = new Matcher(decoded);
    const out = new MatchResult();
    expect(matcher.match('GET', 'a.example.com', 8443, '/v3/x', [], out)).toBe(true);
    expect(out).toMatchObject({ route: 0, pathLength: 4 });
    expect(matcher.match('GET', 'a.example.com', 80, '/api', ['x-a', 'Bee'], out)).toBe(true);
    expect(out.route).toBe(1);
  });
});
