/** tcp-log: Kong's defaults and config errors. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledTcpLog } from '../../../../core/plugins/tcp-log/definition.js';

const P = 'services[0].routes[0].plugins[0].config';

describe('tcp-log schema', () => {
  it("fills Kong's defaults: 10 s timeout, 60 s keepalive, no TLS", () => {
    expect(compiledConfig<CompiledTcpLog>({ name: 'tcp-log', config: { host: 'logs.example', port: 5000 } })).toEqual({ host: 'logs.example', port: 5000, timeoutMs: 10000, keepaliveMs: 60000, tls: false, sni: null });
    expect(compiledConfig<CompiledTcpLog>({ name: 'tcp-log', config: { host: '10.0.0.1', port: 6514, tls: true, tls_sni: 'logs.example' } })).toMatchObject({ tls: true, sni: 'logs.example' });
  });

  it('refuses a missing host or port, a bad host, a port out of range, custom_fields_by_lua', () => {
    expect(configErrors({ name: 'tcp-log', config: {} })).toEqual([`${P}.host: required field missing`, `${P}.port: required field missing`]);
    expect(configErrors({ name: 'tcp-log', config: { host: 'bad host!', port: 1 } })).toEqual([`${P}.host: must be a valid hostname or IP address`]);
    expect(configErrors({ name: 'tcp-log', config: { host: 'h', port: 70000 } })[0]).toContain(`${P}.port`);
    expect(configErrors({ name: 'tcp-log', config: { host: 'h', port: 1, custom_fields_by_lua: { a: 'x' } } })[0]).toContain(`${P}.custom_fields_by_lua: not supported`);
  });
});
