/** response-transformer: Kong's defaults, every config error with its path and Kong's wording, and what compile derives. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledResponseTransformer } from '../../../../core/plugins/response-transformer/definition.js';

const AT = 'services[0].routes[0].plugins[0].config';

function compiled(config: Record<string, unknown>): CompiledResponseTransformer {
  return compiledConfig<CompiledResponseTransformer>({ name: 'response-transformer', config });
}

function errors(config: Record<string, unknown>): string[] {
  return configErrors({ name: 'response-transformer', config });
}

describe('response-transformer schema', () => {
  it('fills Kong defaults: every list empty, nothing to do, the body never held', () => {
    expect(compiled({})).toEqual({ headers: null, snapshot: false, json: null });
  });

  it('splits header entries once (names lower-case) and drops those Kong skips', () => {
    const c = compiled({
      remove: { headers: ['X-Powered-By'] },
      rename: { headers: ['X-Old:X-New', 'x-same:X-Same'] },
      add: { headers: ['X-Add:v::w', 'x-empty:'] },
      append: { headers: ['vary:Origin'] },
    });
    expect(c.headers).toEqual({
      remove: ['x-powered-by'],
      rename: [{ name: 'x-old', value: 'x-new' }],
      replace: [],
      add: [{ name: 'x-add', value: 'v::w' }],
      append: [{ name: 'vary', value: 'Origin' }],
    });
    expect(c.snapshot).toBe(false);
    expect(c.json).toBeNull();
  });

  it('casts JSON values with json_types by position, as Kong\'s json_value does', () => {
    const c = compiled({
      add: { json: ['n:12', 'hex:0x1A', 'b:true', 'f:yes', 's:12', 'e:', 'bad:12abc'], json_types: ['number', 'number', 'boolean', 'boolean', 'string', 'string', 'number'] },
      replace: { json: ['untyped:1'] },
      rename: { json: ['a:b', 'same:same', 'none:'] },
    });
    expect(c.json?.add).toEqual([
      { name: 'n', value: 12 },
      { name: 'hex', value: 26 },
      { name: 'b', value: true },
      { name: 'f', value: false },
      { name: 's', value: '12' },
      // An empty value is Kong's cjson.encode(nil): the text "null".
      { name: 'e', value: 'null' },
    ]);
    expect(c.json?.replace).toEqual([{ name: 'untyped', value: '1' }]);
    expect(c.json?.rename).toEqual([{ name: 'a', value: 'b' }]);
  });

  it('reads the headers as they arrived when one header is named twice', () => {
    expect(compiled({ remove: { headers: ['x-a'] }, add: { headers: ['X-A:1'] } }).snapshot).toBe(true);
    expect(compiled({ rename: { headers: ['x-a:x-b'] }, add: { headers: ['x-b:1'] } }).snapshot).toBe(true);
    expect(compiled({ add: { headers: ['x-a:1', 'x-b:2'] } }).snapshot).toBe(false);
  });

  it('checks entries as Kong\'s schema does, with its messages', () => {
    expect(errors({ add: { json: ['novalue'] } })).toEqual([`${AT}.add.json[0]: invalid value: novalue`]);
    expect(errors({ rename: { json: ['old'] } })).toEqual([`${AT}.rename.json[0]: invalid value: old`]);
    expect(errors({ replace: { headers: ['x-a'] } })).toEqual([`${AT}.replace.headers[0]: invalid value: x-a`]);
    expect(errors({ append: { headers: ['bad name:1'] } })).toEqual([`${AT}.append.headers[0]: 'bad name' is not a valid header`]);
    expect(errors({ add: { headers: ['x-a:bad\u0001value'] } })).toEqual([`${AT}.add.headers[0]: 'bad\u0001value' is not a valid header`]);
    expect(errors({ rename: { headers: ['x-a:x/b'] } })).toEqual([`${AT}.rename.headers[0]: 'x/b' is not a valid header`]);
    expect(errors({ remove: { headers: [':x'] } })).toEqual([`${AT}.remove.headers[0]: invalid value: :x`]);
  });

  it('refuses unknown fields, a json_types name Kong does not know, and templates-like fields it does not have', () => {
    expect(errors({ add: { json_types: ['integer'] } })).toEqual([`${AT}.add.json_types[0]: must be one of: boolean, number, string`]);
    expect(errors({ remove: { json_types: ['string'] } })).toEqual([`${AT}.remove.json_types: unknown field`]);
    expect(errors({ add: { body: ['a:1'] } })).toEqual([`${AT}.add.body: unknown field`]);
  });
});
