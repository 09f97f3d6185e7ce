import { describe, expect, it } from 'vitest';
import { routerFor } from './make-route.js';

describe('router headers', () => {
  it('compares values case-insensitively', () => {
    const { match } = routerFor([{ headers: { 'x-version': ['Beta'] } }]);
    expect(match({ headers: ['x-version', 'beta'] })).toBe('r0');
    expect(match({ headers: ['x-version', 'BETA'] })).toBe('r0');
    expect(match({ headers: ['x-version', 'bet'] })).toBeNull();
    expect(match({ headers: ['x-version', 'betas'] })).toBeNull();
  });

  it('accepts any of the listed values, in any occurrence of a repeated header', () => {
    const { match } = routerFor([{ headers: { 'x-v': ['1', '2'] } }]);
    expect(match({ headers: ['x-v', '2'] })).toBe('r0');
    expect(match({ headers: ['x-v', '9', 'accept', '*/*', 'x-v', '1'] })).toBe('r0');
    expect(match({ headers: ['x-v', '9'] })).toBeNull();
  });

  it('requires every header name of the route', () => {
    const { match } = routerFor([{ headers: { a: ['1'], b: ['2'] } }]);
    expect(match({ headers: ['a', '1', 'b', '2'] })).toBe('r0');
    expect(match({ headers: ['a', '1'] })).toBeNull();
    expect(match({ headers: [] })).toBeNull();
  });

  it('a ~* value is a case-insensitive regex, not anchored', () => {
    const { match } = routerFor([{ headers: { 'user-agent': ['~*curl/\\d+'] } }]);
    expect(match({ headers: ['user-agent', 'curl/8.1'] })).toBe('r0');
    expect(match({ headers: ['user-agent', 'Mozilla CURL/7'] })).toBe('r0');
    expect(match({ headers: ['user-agent', 'wget/1'] })).toBeNull();
  });

  it('mixes exact and regex values for one header', () => {
    const { match } = routerFor([{ headers: { 'x-team': ['ops', '~*^dev-[a-z]+$'] } }]);
    expect(match({ headers: ['x-team', 'OPS'] })).toBe('r0');
    expect(match({ headers: ['x-team', 'dev-Web'] })).toBe('r0');
    expect(match({ headers: ['x-team', 'dev-1'] })).toBeNull();
  });

  it('an invalid ~* regex is a compile error', () => {
    expect(() => routerFor([{ headers: { 'x-a': ['~*('] } }])).toThrow(/invalid regex in header x-a/);
  });
});
