import { describe, expect, it } from 'vitest';
import { compileRouter } from '../../../core/router/compile.js';
import { makeRoute, routerFor } from './make-route.js';

describe('router hosts', () => {
  it('matches an exact host, and nothing else', () => {
    const { match } = routerFor([{ hosts: ['api.example.com'] }]);
    expect(match({ host: 'api.example.com' })).toBe('r0');
    expect(match({ host: 'example.com' })).toBeNull();
    expect(match({ host: 'xapi.example.com' })).toBeNull();
    expect(match({ host: 'api.example.com.evil' })).toBeNull();
  });

  it('compares route hosts lower-cased', () => {
    const { match } = routerFor([{ hosts: ['API.Example.com'] }]);
    expect(match({ host: 'api.example.com' })).toBe('r0');
  });

  it('a leading wildcard matches any subdomain depth, not the bare domain', () => {
    const { match } = routerFor([{ hosts: ['*.example.com'] }]);
    expect(match({ host: 'a.example.com' })).toBe('r0');
    expect(match({ host: 'a.b.example.com' })).toBe('r0');
    expect(match({ host: 'example.com' })).toBeNull();
    expect(match({ host: 'notexample.com' })).toBeNull();
  });

  it('a trailing wildcard matches any suffix after the dot', () => {
    const { match } = routerFor([{ hosts: ['example.*'] }]);
    expect(match({ host: 'example.org' })).toBe('r0');
    expect(match({ host: 'example.co.uk' })).toBe('r0');
    expect(match({ host: 'www.example.org' })).toBeNull();
    expect(match({ host: 'example' })).toBeNull();
  });

  it('a host with :port also requires the port', () => {
    const { match } = routerFor([{ hosts: ['example.com:8443'] }, { hosts: ['*.example.com:9000'] }]);
    expect(match({ host: 'example.com', port: 8443 })).toBe('r0');
    expect(match({ host: 'example.com', port: 8000 })).toBeNull();
    expect(match({ host: 'a.example.com', port: 9000 })).toBe('r1');
    expect(match({ host: 'a.example.com', port: 9001 })).toBeNull();
  });

  it('any of several hosts matches; a route without hosts matches every host', () => {
    const { match } = routerFor([{ hosts: ['a.com', 'b.com'], paths: ['/x'] }, { paths: ['/x'] }]);
    expect(match({ host: 'a.com', path: '/x' })).toBe('r0');
    expect(match({ host: 'b.com', path: '/x' })).toBe('r0');
    expect(match({ host: 'c.com', path: '/x' })).toBe('r1');
  });

  it('rejects a wildcard in the middle of a host at compile time', () => {
    expect(() => compileRouter([makeRoute('bad', { hosts: ['a.*.com'] })])).toThrow(/route bad: host "a\.\*\.com"/);
  });
});
