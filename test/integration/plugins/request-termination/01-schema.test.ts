/** request-termination: Kong's defaults and its cross-field rules. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledRequestTermination } from '../../../../core/plugins/request-termination/definition.js';

const P = 'services[0].routes[0].plugins[0]';

describe('request-termination schema', () => {
  it('defaults to 503 with Kong\'s "Service unavailable"', () => {
    const c = compiledConfig<CompiledRequestTermination>({ name: 'request-termination' });
    expect(c.status).toBe(503);
    expect(JSON.parse(c.body)).toEqual({ message: 'Service unavailable' });
    expect(c.echo).toBe(false);
  });

  it('refuses the combinations Kong refuses', () => {
    expect(configErrors({ name: 'request-termination', config: { message: 'm', body: 'b', content_type: 'text/plain' } })).toEqual([`${P}.config: message cannot be used with content_type or body`]);
    expect(configErrors({ name: 'request-termination', config: { content_type: 'text/plain' } })).toEqual([`${P}.config: content_type requires a body`]);
    expect(configErrors({ name: 'request-termination', config: { echo: true, body: 'x', content_type: 'text/plain' } })).toContain(`${P}.config: echo cannot be used with content_type and body`);
    expect(configErrors({ name: 'request-termination', config: { echo_trigger: 'x-echo' } })).toEqual([`${P}.config.echo_trigger: unknown field`]);
    expect(configErrors({ name: 'request-termination', config: { status_code: 99 } })).toEqual([`${P}.config.status_code: must be >= 100`]);
  });
});
