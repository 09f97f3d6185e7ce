import { describe, expect, it } from 'vitest';
import { routerFor, type RouteFields } from './make-route.js';

describe('router with 1,000 routes', () => {
  // r0..r899: prefix /svc<i> on host h<i % 10>.example.com (so /svc1 is a prefix of /svc10…);
  // r900..r949: regex /items/<k>/\d+ with methods; r950..r999: header routes on /hdr.
  const routes: RouteFields[] = [];
  for (let i = 0; i < 900; i++) routes.push({ paths: [`/svc${i}`], hosts: [`h${i % 10}.example.com`] });
  for (let k = 0; k < 50; k++) routes.push({ paths: [`~/items/${k}/\\d+$`], methods: ['GET'] });
  for (let k = 0; k < 50; k++) routes.push({ paths: ['/hdr'], headers: { 'x-shard': [String(k)] } });
  const { match, result } = routerFor(routes);

  it('finds every prefix route by its longest prefix and host', () => {
    for (let i = 0; i < 900; i++) {
      expect(match({ host: `h${i % 10}.example.com`, path: `/svc${i}/x` })).toBe(`r${i}`);
      expect(result.pathLength).toBe(`/svc${i}`.length);
    }
  });

  it('falls back to the longest prefix whose host matches', () => {
    // /svc123/x on h3: /svc123 is on h3 -> r123; on h2, /svc12 is on h2 -> r12; on h1, /svc1 -> r1.
    expect(match({ host: 'h3.example.com', path: '/svc123/x' })).toBe('r123');
    expect(match({ host: 'h2.example.com', path: '/svc123/x' })).toBe('r12');
    expect(match({ host: 'h1.example.com', path: '/svc123/x' })).toBe('r1');
    expect(match({ host: 'h9.example.com', path: '/svc123/x' })).toBeNull();
  });

  it('finds regex and header routes', () => {
    for (let k = 0; k < 50; k++) {
      expect(match({ path: `/items/${k}/77` })).toBe(`r${900 + k}`);
      expect(match({ path: '/hdr/a', headers: ['x-shard', String(k)] })).toBe(`r${950 + k}`);
    }
    expect(match({ method: 'POST', path: '/items/3/77' })).toBeNull();
    expect(match({ path: '/hdr', headers: ['x-shard', '50'] })).toBeNull();
  });
});
