/** udp-log: Kong's defaults and config errors. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledUdpLog } from '../../../../core/plugins/udp-log/definition.js';

const P = 'services[0].routes[0].plugins[0].config';

describe('udp-log schema', () => {
  it('host and port; timeout accepted with its default', () => {
    expect(compiledConfig<CompiledUdpLog>({ name: 'udp-log', config: { host: '127.0.0.1', port: 514 } })).toEqual({ host: '127.0.0.1', port: 514 });
    expect(compiledConfig<CompiledUdpLog>({ name: 'udp-log', config: { host: 'h', port: 514, timeout: 500 } })).toEqual({ host: 'h', port: 514 });
  });

  it('refuses a missing port, unknown fields and custom_fields_by_lua', () => {
    expect(configErrors({ name: 'udp-log', config: { host: 'h' } })).toEqual([`${P}.port: required field missing`]);
    expect(configErrors({ name: 'udp-log', config: { host: 'h', port: 1, tls: true } })).toEqual([`${P}.tls: unknown field`]);
    expect(configErrors({ name: 'udp-log', config: { host: 'h', port: 1, custom_fields_by_lua: { a: 'x' } } })[0]).toContain(`${P}.custom_fields_by_lua: not supported`);
  });
});
