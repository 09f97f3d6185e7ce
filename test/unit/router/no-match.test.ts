import { describe, expect, it } from 'vitest';
import { compileRouter } from '../../../core/router/compile.js';
import { Matcher, MatchResult } from '../../../core/router/match.js';
import { routerFor } from './make-route.js';

describe('router without a match', () => {
  it('an empty table matches nothing', () => {
    const matcher = new Matcher(compileRouter([]));
    const out = new MatchResult();
    expect(matcher.match('GET', 'a.com', 80, '/', [], out)).toBe(false);
    expect(out.route).toBe(-1);
  });

  it('returns false and resets the result after an earlier match', () => {
    const { matcher } = routerFor([{ paths: ['/a'], methods: ['GET'] }]);
    const out = new MatchResult();
    expect(matcher.match('GET', 'x.com', 80, '/a/b', [], out)).toBe(true);
    expect(out).toMatchObject({ route: 0, pathLength: 2, entry: 0 });
    expect(matcher.match('GET', 'x.com', 80, '/b', [], out)).toBe(false);
    expect(out).toMatchObject({ route: -1, pathLength: 0, entry: -1 });
    expect(matcher.match('PUT', 'x.com', 80, '/a', [], out)).toBe(false);
  });
});
