import { describe, expect, it } from 'vitest';
import { routerFor } from './make-route.js';

describe('router methods', () => {
  it('matches any of the listed methods only', () => {
    const { match } = routerFor([{ methods: ['GET', 'HEAD'] }]);
    expect(match({ method: 'GET' })).toBe('r0');
    expect(match({ method: 'HEAD' })).toBe('r0');
    expect(match({ method: 'POST' })).toBeNull();
  });

  it('falls through to a lower-priority route when the method does not match', () => {
    const { match } = routerFor([{ paths: ['/'] }, { paths: ['/items'], methods: ['DELETE'] }]);
    expect(match({ method: 'DELETE', path: '/items/1' })).toBe('r1');
    expect(match({ method: 'GET', path: '/items/1' })).toBe('r0');
  });

  it('upper-cases configured methods', () => {
    const { match } = routerFor([{ methods: ['patch'] }]);
    expect(match({ method: 'PATCH' })).toBe('r0');
  });
});
