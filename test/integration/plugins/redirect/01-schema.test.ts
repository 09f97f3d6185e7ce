/** redirect: Kong 3.9's defaults, typedefs.url's wording, the split location. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledRedirect } from '../../../../core/plugins/redirect/definition.js';

const P = 'services[0].routes[0].plugins[0]';

describe('redirect schema', () => {
  it('defaults to 301 and the location as is', () => {
    expect(compiledConfig<CompiledRedirect>({ name: 'redirect', config: { location: 'https://example.com/x?y=1' } })).toEqual({ status: 301, location: 'https://example.com/x?y=1', prefix: null, hash: '' });
  });

  it('with keep_incoming_path, keeps what precedes the path and the fragment', () => {
    const c = compiledConfig<CompiledRedirect>({ name: 'redirect', config: { location: 'https://user@Example.com:8443/some_path?foo=bar#top', keep_incoming_path: true, status_code: 308 } });
    expect(c).toEqual({ status: 308, location: 'https://user@Example.com:8443/some_path?foo=bar#top', prefix: 'https://user@example.com:8443', hash: '#top' });
    expect(compiledConfig<CompiledRedirect>({ name: 'redirect', config: { location: 'someapp://path', keep_incoming_path: true } }).prefix).toBe('someapp://path');
  });

  it('requires a location with a host and a scheme (Kong\'s typedefs.url)', () => {
    expect(configErrors({ name: 'redirect' })).toEqual([`${P}.config.location: required field missing`]);
    expect(configErrors({ name: 'redirect', config: { location: 'example.com/path' } })).toEqual([`${P}.config.location: missing host in url`]);
    expect(configErrors({ name: 'redirect', config: { location: '//example.com/path' } })).toEqual([`${P}.config.location: missing scheme in url`]);
  });

  it('refuses a status outside 100-599 and an unknown field', () => {
    expect(configErrors({ name: 'redirect', config: { location: 'https://x.test', status_code: 600 } })).toEqual([`${P}.config.status_code: must be <= 599`]);
    expect(configErrors({ name: 'redirect', config: { location: 'https://x.test', incoming_path: 'keep' } })).toEqual([`${P}.config.incoming_path: unknown field`]);
  });
});
