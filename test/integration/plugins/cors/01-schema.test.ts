/** cors: Kong's defaults and config errors. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledCors } from '../../../../core/plugins/cors/definition.js';

describe('cors schema', () => {
  it('fills Kong defaults: any origin, the nine methods, no credentials', () => {
    const c = compiledConfig<CompiledCors>({ name: 'cors' });
    expect(c.allowAll).toBe(true);
    expect(c.methods).toBe('GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT');
    expect(c.credentials).toBe(false);
    expect(c.preflightContinue).toBe(false);
    expect(c.allowOriginAbsent).toBe(true);
    expect(c.maxAge).toBeNull();
  });

  it('classifies literal and regex origins', () => {
    const c = compiledConfig<CompiledCors>({ name: 'cors', config: { origins: ['https://a.example.com:443', '.*\\.example\\.org'] } });
    expect(c.allowAll).toBe(false);
    expect(c.rules).toEqual([
      { domain: 'https://a.example.com', regex: null, byHost: false },
      { domain: null, regex: '^(?:.*\\.example\\.org$)', byHost: true },
    ]);
  });

  it('refuses a bad regex, an unknown method, an unknown field and a consumer scope', () => {
    expect(configErrors({ name: 'cors', config: { origins: ['(unclosed'] } })).toEqual(["services[0].routes[0].plugins[0].config.origins[0]: '(unclosed' is not a valid regex"]);
    expect(configErrors({ name: 'cors', config: { methods: ['FETCH'] } })[0]).toContain('config.methods[0]: must be one of');
    expect(configErrors({ name: 'cors', config: { origin: '*' } })).toEqual(['services[0].routes[0].plugins[0].config.origin: unknown field']);
    expect(
      configErrors({ name: 'cors', consumer: 'alice' }, { consumers: [{ username: 'alice' }] }),
    ).toEqual(['services[0].routes[0].plugins[0].consumer: cors cannot be scoped to a consumer']);
  });
});
