/**
 * request-transformer's transformations on a RequestContext without a server: headers,
 * query string, the three body types, http_method's form move, replace.uri and templates,
 * each in Kong's order of operations (remove, rename, replace, add, append).
 */
import { describe, expect, it } from 'vitest';
import { compiledConfig } from '../../../helpers/plugin-suite.js';
import { requestContext, type ContextInit } from '../../../helpers/request-context.js';
import { handler } from '../../../../core/plugins/request-transformer/handler.js';
import type { PluginEnv } from '../../../../core/plugins/contract.js';
import type { RequestContext } from '../../../../core/worker/context.js';
import { ArgTable } from '../../../../core/plugins/request-transformer/args.js';
import { MultipartBody } from '../../../../core/plugins/request-transformer/multipart.js';

const ENV = {} as PluginEnv;

async function transform(config: Record<string, unknown>, request: ContextInit): Promise<RequestContext> {
  const h = handler.create(compiledConfig({ name: 'request-transformer', config }) as never, ENV, undefined);
  const ctx = requestContext(request);
  await h.access?.(ctx, 0);
  return ctx;
}

function values(ctx: RequestContext, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < ctx.headers.length; i += 2) if (ctx.headers[i] === name) out.push(ctx.headers[i + 1] as string);
  return out;
}

function bodyText(ctx: RequestContext): string {
  return (ctx.body as Buffer).toString('latin1');
}

describe('request-transformer: headers', () => {
  it('removes, renames (every value), replaces only present ones, adds only absent ones, appends always', async () => {
    const ctx = await transform(
      {
        remove: { headers: ['X-Remove'] },
        rename: { headers: ['x-old:X-New'] },
        replace: { headers: ['x-replace:new', 'x-absent:nope'] },
        add: { headers: ['x-add:added', 'x-exists:nope'] },
        append: { headers: ['x-append:two', 'x-new:o3'] },
      },
      {
        headers: [
          ['host', 'gateway.test'],
          ['x-remove', '1'],
          ['x-old', 'o1'],
          ['x-old', 'o2'],
          ['x-replace', 'old'],
          ['x-exists', 'keep'],
          ['x-append', 'one'],
        ],
      },
    );
    expect(values(ctx, 'x-remove')).toEqual([]);
    expect(values(ctx, 'x-old')).toEqual([]);
    expect(values(ctx, 'x-new')).toEqual(['o1', 'o2', 'o3']);
    expect(values(ctx, 'x-replace')).toEqual(['new']);
    expect(values(ctx, 'x-absent')).toEqual([]);
    expect(values(ctx, 'x-add')).toEqual(['added']);
    expect(values(ctx, 'x-exists')).toEqual(['keep']);
    expect(values(ctx, 'x-append')).toEqual(['one', 'two']);
  });

  it('checks presence after the earlier operations (Kong edits one table): add after remove adds', async () => {
    const ctx = await transform({ remove: { headers: ['x-a'] }, add: { headers: ['x-a:fresh'] } }, { headers: [['x-a', 'old']] });
    expect(values(ctx, 'x-a')).toEqual(['fresh']);
  });

  it('replacing Host sets the Host sent upstream, and the request keeps the client\'s', async () => {
    const ctx = await transform({ replace: { headers: ['Host:upstream.example'] } }, { headers: [['host', 'gateway.test']] });
    expect(ctx.hostOverride).toBe('upstream.example');
    expect(ctx.header('host')).toBe('gateway.test');
    const templated = await transform({ replace: { headers: ['host:$(headers["x-backend"])'] } }, { headers: [['host', 'gateway.test'], ['x-backend', 'b.internal']] });
    expect(templated.hostOverride).toBe('b.internal');
    // Rendering nothing leaves the upstream's Host.
    expect((await transform({ replace: { headers: ['host:$(headers["x-backend"])'] } }, {})).hostOverride).toBeNull();
  });

  it('renders templates against the request as it arrived, even for a header the plugin removed', async () => {
    const ctx = await transform(
      {
        remove: { headers: ['x-user'] },
        add: { headers: ['x-copied:user=$(headers["X-User"])', 'x-both:$(headers.x_multi)', 'x-none:[$(headers.nope)]', 'x-q:$(query_params.q)'] },
      },
      { query: 'q=a%0D%0Ab%E2%82%AC', headers: [['x-user', 'alice'], ['x-multi', 'a'], ['x-multi', 'b']] },
    );
    expect(values(ctx, 'x-user')).toEqual([]);
    expect(values(ctx, 'x-copied')).toEqual(['user=alice']);
    expect(values(ctx, 'x-both')).toEqual(['a, b']);
    expect(values(ctx, 'x-none')).toEqual(['[]']);
    // A rendered header value loses control characters; text beyond latin1 goes as its UTF-8 bytes.
    expect(values(ctx, 'x-q')).toEqual([Buffer.from('ab€').toString('latin1')]);
  });
});

describe('request-transformer: query string', () => {
  it('applies the five operations and writes the query back with sorted names, as Kong\'s set_query', async () => {
    const ctx = await transform(
      {
        remove: { querystring: ['rm'] },
        rename: { querystring: ['old:new'] },
        replace: { querystring: ['rep:R', 'missing:M'] },
        add: { querystring: ['add:A', 'b:nope', 'sp:a b!'] },
        append: { querystring: ['a:4', 'flag:f'] },
      },
      { query: 'b=2&a=1&a=3&flag&rm=x&old=v&rep=r' },
    );
    expect(ctx.query).toBe('a=1&a=3&a=4&add=A&b=2&flag=f&new=v&rep=R&sp=a%20b%21');
  });

  it('renders query, capture and header templates with `or` fallbacks', async () => {
    const ctx = await transform(
      { add: { querystring: ['who:$(uri_captures.user or query_params.user or "anonymous")', 'id:$(uri_captures[1])', 'from:$(query_params.user)'] } },
      { query: 'user=q-user', route: { regex: /\/users\/(\d+)/y, path: '/users/42' } },
    );
    expect(ctx.query).toBe('from=q-user&id=42&user=q-user&who=q-user');
  });
});

describe('request-transformer: method and path', () => {
  it('sets the method; GET, HEAD or TRACE move a form body\'s arguments into the query (the body still goes)', async () => {
    expect((await transform({ http_method: 'POST' }, { method: 'GET' })).method).toBe('POST');
    const ctx = await transform(
      { http_method: 'GET' },
      { method: 'POST', query: 'x=0', headers: [['content-type', 'application/x-www-form-urlencoded']], body: 'x=1&y=two%20words' },
    );
    expect(ctx.method).toBe('GET');
    expect(ctx.query).toBe('x=0&x=1&y=two%20words');
    expect(bodyText(ctx)).toBe('x=1&y=two%20words');
  });

  it('replace.uri is the whole upstream path, with captures rendered and unsafe bytes escaped', async () => {
    const route = { regex: /\/u\/(?<id>\d+)\/(\w+)/y, path: '/u/42/profile' };
    expect((await transform({ replace: { uri: '/users/$(uri_captures.id)/$(uri_captures[2])' } }, { route })).pathOverride).toBe('/users/42/profile');
    expect((await transform({ replace: { uri: '/a b/é' } }, {})).pathOverride).toBe('/a%20b/%C3%A9');
    expect((await transform({ replace: { uri: 'relative' } }, {})).pathOverride).toBe('/relative');
    // A template that renders nothing leaves the path alone.
    expect((await transform({ replace: { uri: '$(uri_captures.none)' } }, {})).pathOverride).toBeNull();
  });
});

describe('request-transformer: JSON body', () => {
  const JSON_TYPE: [string, string][] = [['content-type', 'application/json; charset=utf-8']];

  it('applies the operations on the top-level object (JSON false counts as absent, as in Lua)', async () => {
    const ctx = await transform(
      {
        remove: { body: ['rm'] },
        rename: { body: ['old:new'] },
        replace: { body: ['rep:R', 'nope:N', 'f:F'] },
        add: { body: ['added:A', 'f:A2', 'keep:K'] },
        append: { body: ['s:two', 'arr:2', 'fresh:x'] },
      },
      { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ keep: 1, rm: 1, old: 'v', rep: 'r', f: false, s: 'one', arr: [1] }) },
    );
    expect(JSON.parse(bodyText(ctx))).toEqual({ keep: 1, new: 'v', rep: 'R', f: 'A2', s: ['one', 'two'], arr: [1, '2'], added: 'A', fresh: ['x'] });
  });

  it('an empty body gets what add and append bring; remove, rename and replace need content', async () => {
    const ctx = await transform({ add: { body: ['a:1'] }, remove: { body: ['a'] }, append: { body: ['b:2'] } }, { method: 'POST', headers: JSON_TYPE });
    expect(JSON.parse(bodyText(ctx))).toEqual({ a: '1', b: ['2'] });
  });

  it('leaves a body that is not a JSON object as it came', async () => {
    for (const body of ['{"broken":', '[1,2]', '"text"']) {
      const original = Buffer.from(body);
      const ctx = await transform({ add: { body: ['a:1'] } }, { method: 'POST', headers: JSON_TYPE, body: original });
      expect(ctx.body).toBe(original);
    }
  });

  it('never reads a body it does not transform (another Content-Type, or no body operation)', async () => {
    for (const [config, type] of [
      [{ add: { body: ['a:1'] } }, 'text/plain'],
      [{ add: { headers: ['x-a:1'] } }, 'application/json'],
    ] as const) {
      const ctx = requestContext({ method: 'POST', headers: [['content-type', type]] });
      // A body announced and not read: reading it would need the (absent) uWS response.
      ctx.hasBody = true;
      const h = handler.create(compiledConfig({ name: 'request-transformer', config }) as never, ENV, undefined);
      expect(h.access?.(ctx, 0)).toBeUndefined();
      expect(ctx.body).toBeNull();
      expect(ctx.reader).toBeNull();
    }
  });
});

describe('request-transformer: form and multipart bodies', () => {
  it('form-urlencoded: the operations, re-encoded in the body\'s order', async () => {
    const ctx = await transform(
      { remove: { body: ['rm'] }, rename: { body: ['old:new'] }, add: { body: ['b:x y'] }, append: { body: ['a:5'] } },
      { method: 'POST', headers: [['content-type', 'application/x-www-form-urlencoded']], body: 'a=1&rm=2&old=3&a=4' },
    );
    expect(bodyText(ctx)).toBe('a=1&a=4&a=5&new=3&b=x%20y');
  });

  it('multipart: rename, remove, replace and add as lua-multipart does them, binary parts kept byte for byte', async () => {
    const part = (headers: string, value: string): string => `--XyZ\r\n${headers}\r\n\r\n${value}\r\n`;
    const body = Buffer.from(
      part('Content-Disposition: form-data; name="keep"', 'k') +
        part('Content-Disposition: form-data; name="old"', 'v') +
        part('Content-Disposition: form-data; name="rm"', 'r') +
        part('Content-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream', '\x00\xff\r\n') +
        '--XyZ--\r\n',
      'latin1',
    );
    const ctx = await transform(
      { rename: { body: ['old:new'] }, remove: { body: ['rm'] }, replace: { body: ['keep:K'] }, add: { body: ['added:é'] } },
      { method: 'POST', headers: [['content-type', 'multipart/form-data; boundary=XyZ']], body },
    );
    expect(bodyText(ctx)).toBe(
      part('Content-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream', '\x00\xff\r\n') +
        part('Content-Disposition: form-data; name="new"', 'v') +
        part('Content-Disposition: form-data; name="keep"', 'K') +
        part('Content-Disposition: form-data; name="added"', Buffer.from('é').toString('latin1')) +
        '--XyZ--\r\n',
    );
  });

  it('a multipart body without a boundary, or malformed, is left alone', async () => {
    expect(MultipartBody.parse(Buffer.from('--B\r\nno end'), 'B')).toBeNull();
    const original = Buffer.from('x');
    const ctx = await transform({ add: { body: ['a:1'] } }, { method: 'POST', headers: [['content-type', 'multipart/form-data']], body: original });
    expect(ctx.body).toBe(original);
  });
});

describe('request-transformer: arguments as nginx decodes them', () => {
  it('decodes +, %XX (malformed kept), bare names as true, repeated names as lists; drops empty names', () => {
    const t = ArgTable.parse('a=1+2&b=%41%zz&flag&a=3&=x&&c=');
    expect(t.get('a')).toEqual(['1 2', '3']);
    expect(t.get('b')).toBe('%41%zz');
    expect(t.get('flag')).toBe(true);
    expect(t.get('c')).toBe('');
    expect(t.size).toBe(4);
    expect(t.encode(true)).toBe('a=1%202&a=3&b=%2541%25zz&c=&flag');
  });
});
