/** syslog: Kong's defaults, the priorities compiled per response class, config errors. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledSyslog } from '../../../../core/plugins/syslog/definition.js';

const P = 'services[0].routes[0].plugins[0].config';

describe('syslog schema', () => {
  it("Kong's defaults: every class at info, facility USER (priority 14)", () => {
    expect(compiledConfig<CompiledSyslog>({ name: 'syslog' })).toEqual({ successful: 14, clientErrors: 14, serverErrors: 14 });
  });

  it('priority = facility * 8 + severity; classes less severe than log_level are not sent (-1)', () => {
    const c = compiledConfig<CompiledSyslog>({ name: 'syslog', config: { log_level: 'warning', successful_severity: 'info', client_errors_severity: 'warning', server_errors_severity: 'crit', syslog_facility: 'LOCAL0' } });
    expect(c).toEqual({ successful: -1, clientErrors: 16 * 8 + 4, serverErrors: 16 * 8 + 2 });
  });

  it('refuses unknown severities and facilities, and custom_fields_by_lua', () => {
    expect(configErrors({ name: 'syslog', config: { log_level: 'verbose' } })[0]).toBe(`${P}.log_level: must be one of: debug, info, notice, warning, err, crit, alert, emerg`);
    expect(configErrors({ name: 'syslog', config: { syslog_facility: 'local0' } })[0]).toContain(`${P}.syslog_facility: must be one of`);
    expect(configErrors({ name: 'syslog', config: { custom_fields_by_lua: { a: 'x' } } })[0]).toContain(`${P}.custom_fields_by_lua: not supported`);
  });
});
