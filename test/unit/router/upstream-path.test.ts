/** Kong's path-handling table (test/fixtures/router-cases.ts), every expanded row. */
import { describe, expect, it } from 'vitest';
import { buildUpstreamPath } from '../../../core/router/upstream-path.js';
import { expandRouterPathCases, ROUTER_PATH_ROWS } from '../../fixtures/router-cases.js';
import { routerFor } from './make-route.js';

const cases = expandRouterPathCases();
const label = (c: (typeof cases)[number]): string =>
  `row ${c.row}: service ${c.servicePath}, route ${c.routePath ?? '(host)'}, strip ${c.stripPath}, ${c.pathHandling}, ${c.requestPath} -> ${c.expectedPath}`;

describe('buildUpstreamPath over Kong router_path_handling_tests', () => {
  it('has every row of the Kong table', () => {
    expect(ROUTER_PATH_ROWS).toHaveLength(80);
    expect(cases.length).toBeGreaterThan(ROUTER_PATH_ROWS.length);
  });

  it.each(cases.map((c) => [label(c), c] as const))('%s (prefix route)', (_, c) => {
    const { match, result } = routerFor([
      { paths: c.routePath === null ? null : [c.routePath], hosts: ['svc.test'], strip_path: c.stripPath, path_handling: c.pathHandling },
    ]);
    expect(match({ host: 'svc.test', path: c.requestPath })).toBe('r0');
    expect(buildUpstreamPath(c.servicePath, c.requestPath, result.pathLength, c.stripPath, c.pathHandling)).toBe(
      c.expectedPath,
    );
  });

  // As Kong's unit spec: the same rows with the route path turned into a regex match.
  it.each(cases.filter((c) => c.routePath !== null).map((c) => [label(c), c] as const))('%s (regex route)', (_, c) => {
    const regex = '~/[0]?' + (c.routePath as string).slice(1);
    const { match, result } = routerFor([{ paths: [regex], strip_path: c.stripPath, path_handling: c.pathHandling }]);
    expect(match({ path: c.requestPath })).toBe('r0');
    expect(buildUpstreamPath(c.servicePath, c.requestPath, result.pathLength, c.stripPath, c.pathHandling)).toBe(
      c.expectedPath,
    );
  });

  it('treats a null service path as /', () => {
    expect(buildUpstreamPath(null, '/route/x', 6, true, 'v0')).toBe('/x');
    expect(buildUpstreamPath(null, '/route/x', 6, false, 'v1')).toBe('/route/x');
  });

  it('drops a leading dot segment from the stripped postfix', () => {
    expect(buildUpstreamPath('/s', '/r./x', 2, true, 'v1')).toBe('/sx');
    expect(buildUpstreamPath('/s', '/r../x', 2, true, 'v0')).toBe('/s/x');
    expect(buildUpstreamPath('/s/', '/r..', 2, true, 'v1')).toBe('/s/');
  });
});
