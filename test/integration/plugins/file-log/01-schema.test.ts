/** file-log: Kong's defaults and config errors. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledFileLog } from '../../../../core/plugins/file-log/definition.js';

const P = 'services[0].routes[0].plugins[0].config';

describe('file-log schema', () => {
  it('path is required; reopen defaults to false', () => {
    expect(compiledConfig<CompiledFileLog>({ name: 'file-log', config: { path: '/tmp/x.log' } })).toEqual({ path: '/tmp/x.log', reopen: false });
    expect(configErrors({ name: 'file-log', config: {} })).toEqual([`${P}.path: required field missing`]);
  });

  it("refuses Kong's invalid file names, custom_fields_by_lua and unknown fields", () => {
    expect(configErrors({ name: 'file-log', config: { path: '/tmp/*.log' } })).toEqual([`${P}.path: not a valid filename`]);
    expect(configErrors({ name: 'file-log', config: { path: '/tmp/a.log', custom_fields_by_lua: { a: 'return 1' } } })[0]).toContain(`${P}.custom_fields_by_lua: not supported`);
    expect(configErrors({ name: 'file-log', config: { path: '/tmp/a.log', rotate: true } })).toEqual([`${P}.rotate: unknown field`]);
  });
});
