/** request-transformer: Kong's defaults, every config error with its path and Kong's wording, and what compile derives. */
import { describe, expect, it } from 'vitest';
import { compiledConfig, configErrors } from '../../../helpers/plugin-suite.js';
import type { CompiledRequestTransformer } from '../../../../core/plugins/request-transformer/definition.js';
import { USES_CAPTURES, USES_HEADERS, USES_QUERY } from '../../../../core/plugins/request-transformer/template-parse.js';

const AT = 'services[0].routes[0].plugins[0].config';

function compiled(config: Record<string, unknown>): CompiledRequestTransformer {
  return compiledConfig<CompiledRequestTransformer>({ name: 'request-transformer', config });
}

function errors(config: Record<string, unknown>): string[] {
  return configErrors({ name: 'request-transformer', config });
}

describe('request-transformer schema', () => {
  it('fills Kong defaults: no method, every list empty: nothing to do', () => {
    expect(compiled({})).toEqual({ method: null, mergeForm: false, uri: null, headers: null, query: null, body: null, uses: 0 });
  });

  it('splits entries once: header names lower-cased, values as templates, Kong\'s `name::value` split', () => {
    const c = compiled({
      http_method: 'GET',
      remove: { headers: ['X-Remove'], querystring: ['q1:ignored'] },
      rename: { headers: ['X-Old:X-New'], body: ['a:b'] },
      add: { headers: ['X-Add::v1:v2'] },
    });
    expect(c.method).toBe('GET');
    expect(c.mergeForm).toBe(true);
    expect(c.headers).toEqual({
      remove: ['x-remove'],
      rename: [{ name: 'x-old', value: { parts: [{ text: 'x-new', terms: null }], uses: 0 } }],
      replace: [],
      add: [{ name: 'x-add', value: { parts: [{ text: 'v1:v2', terms: null }], uses: 0 } }],
      append: [],
    });
    expect(c.query?.remove).toEqual(['q1']);
    expect(c.body?.rename).toEqual([{ name: 'a', value: { parts: [{ text: 'b', terms: null }], uses: 0 } }]);
    expect(compiled({ http_method: 'POST' }).mergeForm).toBe(false);
  });

  it('drops what Kong skips on every request: header entries without a value, adding Host, renaming Host', () => {
    const c = compiled({ add: { headers: ['x-empty:', 'Host:example.com'] }, append: { headers: ['host:a'] }, rename: { headers: ['host:x-host', 'x-same:X-Same'] }, remove: { headers: ['host'] } });
    expect(c.headers).toBeNull();
    // Replacing Host is how the upstream Host is set.
    expect(compiled({ replace: { headers: ['Host:upstream.example'] } }).headers?.replace).toEqual([
      { name: 'host', value: { parts: [{ text: 'upstream.example', terms: null }], uses: 0 } },
    ]);
  });

  it('parses templates into literal and variable parts and records what they read', () => {
    const c = compiled({
      replace: { uri: '/users/$(uri_captures.user)/$(uri_captures[1])' },
      add: { headers: ['x-who:id=$(headers["X-User_Id"] or query_params.user or "anon")'], querystring: ["escaped:$('$(not a template)')"] },
    });
    expect(c.uri).toEqual({
      parts: [
        { text: '/users/', terms: null },
        { text: '', terms: [{ kind: 3, key: 'user', alt: '', index: 0 }] },
        { text: '/', terms: null },
        { text: '', terms: [{ kind: 3, key: '', alt: '', index: 1 }] },
      ],
      uses: USES_CAPTURES,
    });
    expect(c.headers?.add[0]?.value).toEqual({
      parts: [
        { text: 'id=', terms: null },
        {
          text: '',
          terms: [
            { kind: 1, key: 'x-user_id', alt: 'x-user-id', index: 0 },
            { kind: 2, key: 'user', alt: '', index: 0 },
            { kind: 0, key: 'anon', alt: '', index: 0 },
          ],
        },
      ],
      uses: USES_HEADERS | USES_QUERY,
    });
    // A quoted string is Kong's escape for a literal `$(`: no variable part left.
    expect(c.query?.add[0]?.value).toEqual({ parts: [{ text: '$(not a template)', terms: null }], uses: 0 });
    expect(c.uses).toBe(USES_HEADERS | USES_QUERY | USES_CAPTURES);
  });

  it('refuses template features it does not implement, naming the value (never leaves `$(` in it)', () => {
    expect(errors({ add: { headers: ['x-a:$(shared.token)'] } })).toEqual([
      `${AT}.add.headers[0]: value '$(shared.token)' is not in supported format, error: 'shared' is not supported (Gatehouse renders headers.<name>, query_params.<name>, uri_captures.<name or number>, quoted strings and \`or\`)`,
    ]);
    expect(errors({ add: { body: ['a:$(headers.x .. "y")'] } })[0]).toContain(`${AT}.add.body[0]: value '$(headers.x .. "y")' is not in supported format, error: unexpected '.. "y")'`);
    expect(errors({ append: { querystring: ['a:$(string.upper(headers.x))'] } })[0]).toContain("error: 'string' is not supported");
    expect(errors({ replace: { uri: '/x/$(uri_captures.id' } })[0]).toContain(`${AT}.replace.uri: value '/x/$(uri_captures.id' is not in supported format, error: missing ')'`);
    expect(errors({ add: { querystring: ['a:$(query_params[1])'] } })[0]).toContain("error: expected a quoted name at '1])'");
    expect(errors({ add: { querystring: ['a:$()'] } })[0]).toContain('error: expected a name');
  });

  it('checks entries as Kong\'s schema does, with its messages', () => {
    expect(errors({ http_method: 'get' })).toEqual([`${AT}.http_method: invalid value: get`]);
    expect(errors({ add: { body: ['novalue'], querystring: ['q:'] } })).toEqual([
      `${AT}.add.querystring[0]: key 'q' has no value`,
      `${AT}.add.body[0]: key 'novalue' has no value`,
    ]);
    expect(errors({ add: { headers: ['x-novalue'] } })).toEqual([`${AT}.add.headers[0]: invalid value: x-novalue`]);
    expect(errors({ replace: { headers: ['x a:1'] } })).toEqual([`${AT}.replace.headers[0]: 'x a' is not a valid header`]);
    expect(errors({ append: { headers: ['x-a:line\nbreak'] } })).toEqual([`${AT}.append.headers[0]: 'line\nbreak' is not a valid header`]);
    expect(errors({ rename: { headers: ['x-a:x b'] } })).toEqual([`${AT}.rename.headers[0]: 'x b' is not a valid header`]);
    expect(errors({ rename: { headers: ['x-a'] } })).toEqual([`${AT}.rename.headers[0]: invalid value: x-a`]);
    expect(errors({ remove: { headers: ['x:y', 'bad/name'] } })).toEqual([`${AT}.remove.headers[1]: 'bad/name' is not a valid header`]);
    expect(errors({ remove: { body: [':nameless'] } })).toEqual([`${AT}.remove.body[0]: invalid value: :nameless`]);
  });

  it('refuses unknown fields, and values of the wrong type', () => {
    expect(errors({ add: { json: ['a:b'] } })).toEqual([`${AT}.add.json: unknown field`]);
    expect(errors({ remove: { headers: 'x-a' } })).toEqual([`${AT}.remove.headers: must be array`]);
    expect(errors({ whatever: true })).toEqual([`${AT}.whatever: unknown field`]);
  });
});
