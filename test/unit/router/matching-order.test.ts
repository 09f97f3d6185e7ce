/** Pins the whole priority order at once: the compiled entry order and the winners. */
import { describe, expect, it } from 'vitest';
import { compileRouter } from '../../../core/router/compile.js';
import { makeRoute, routerFor, type RouteFields } from './make-route.js';

const ROUTES: RouteFields[] = [
  /* r0 */ { paths: ['/'] },
  /* r1 */ { paths: ['/api'] },
  /* r2 */ { paths: ['/api/users'] },
  /* r3 */ { paths: ['~/api/users/\\d+$'] },
  /* r4 */ { paths: ['~/api/users/me$'], regex_priority: 10 },
  /* r5 */ { paths: ['/api'], methods: ['POST'] },
  /* r6 */ { paths: ['/api'], hosts: ['*.example.com'] },
  /* r7 */ { paths: ['/api'], hosts: ['api.example.com'] },
  /* r8 */ { paths: ['/api'], hosts: ['api.example.com'], headers: { 'x-a': ['1'] } },
  /* r9 */ { paths: ['/api'], hosts: ['api.example.com'], headers: { 'x-a': ['1'], 'x-b': ['2'] } },
  /* r10 */ { hosts: ['api.example.com'] },
  /* r11 */ {},
  /* r12 */ { paths: ['/api', '~/api/.*'], methods: ['PUT'] },
];

describe('router matching order', () => {
  it('sorts entries by Kong priority', () => {
    const table = compileRouter(ROUTES.map((r, i) => makeRoute(`r${i}`, r)));
    const order = table.entries.map((e) => `r${e.route}:${e.pathIndex}`);
    expect(order).toEqual([
      'r9:0', // 3 categories, plain host, 2 headers
      'r8:0', // 3 categories, plain host, 1 header
      'r7:0', // 2 categories, plain host
      'r12:1', // 2 categories, regex
      'r5:0', // 2 categories, prefix /api: config order among r5, r6, r12
      'r6:0',
      'r12:0',
      'r10:-1', // 1 category, plain host
      'r4:0', // 1 category, regex, regex_priority 10
      'r3:0', // 1 category, regex, regex_priority 0
      'r2:0', // 1 category, prefix length 10
      'r1:0', // prefix length 4
      'r0:0', // prefix length 1
      'r11:-1', // no conditions
    ]);
  });

  it('picks the winner of each request accordingly', () => {
    const { match } = routerFor(ROUTES);
    const cases: Array<[Parameters<typeof match>[0], string]> = [
      [{ host: 'api.example.com', path: '/api/x', headers: ['x-a', '1', 'x-b', '2'] }, 'r9'],
      [{ host: 'api.example.com', path: '/api/x', headers: ['x-a', '1'] }, 'r8'],
      [{ host: 'api.example.com', path: '/api/x' }, 'r7'],
      [{ host: 'other.org', method: 'PUT', path: '/api/users/1' }, 'r12'],
      [{ host: 'other.org', method: 'POST', path: '/api/users/1' }, 'r5'],
      [{ host: 'www.example.com', path: '/api/users/1' }, 'r6'],
      [{ host: 'other.org', path: '/api/users/me' }, 'r4'],
      [{ host: 'other.org', path: '/api/users/7' }, 'r3'],
      [{ host: 'other.org', path: '/api/users/7/x' }, 'r2'],
      [{ host: 'other.org', path: '/apiary' }, 'r1'],
      [{ host: 'other.org', path: '/x' }, 'r0'],
      [{ host: 'api.example.com', path: '/x' }, 'r10'],
      [{ host: 'api.example.com', path: '/api/users/7' }, 'r7'],
      [{ host: 'other.org', method: 'GET', path: '' }, 'r11'],
    ];
    for (const [req, want] of cases) expect([req, match(req)]).toEqual([req, want]);
  });
});

