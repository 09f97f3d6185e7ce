/**
 * response-transformer's transformations without a server: header operations on a
 * ResponseHead (upstream raw headers), the JSON body held to its last chunk and rewritten
 * once, and Kong's JSON Content-Type test.
 */
import { describe, expect, it } from 'vitest';
import { compiledConfig } from '../../../helpers/plugin-suite.js';
import { requestContext } from '../../../helpers/request-context.js';
import { handler } from '../../../../core/plugins/response-transformer/handler.js';
import { isJsonContentType, transformJsonBody } from '../../../../core/plugins/response-transformer/json-body.js';
import type { CompiledResponseTransformer } from '../../../../core/plugins/response-transformer/definition.js';
import type { PluginEnv, PluginHandler } from '../../../../core/plugins/contract.js';
import { ResponseHead } from '../../../../core/plugins/response-head.js';
import type { RequestContext } from '../../../../core/worker/context.js';

const ENV = {} as PluginEnv;

function plugin(config: Record<string, unknown>): { h: PluginHandler; c: CompiledResponseTransformer } {
  const c = compiledConfig<CompiledResponseTransformer>({ name: 'response-transformer', config });
  return { h: handler.create(c as never, ENV, undefined), c };
}

/** The response phase on upstream headers (raw Buffers, as undici gives them). */
function respond(h: PluginHandler, headers: readonly [string, string][]): RequestContext {
  const ctx = requestContext();
  ctx.responseHead = new ResponseHead(200, headers.flatMap(([n, v]) => [Buffer.from(n), Buffer.from(v)]));
  void h.response?.(ctx, 0);
  return ctx;
}

function listed(ctx: RequestContext): string[][] {
  const list = ctx.response.list();
  const out: string[][] = [];
  for (let i = 0; i < list.length; i += 2) out.push([(list[i] as string).toLowerCase(), list[i + 1] as string]);
  return out;
}

describe('response-transformer: headers', () => {
  it('removes, renames (every value), replaces present ones, adds absent ones, appends always', () => {
    const { h } = plugin({
      remove: { headers: ['X-Powered-By'] },
      rename: { headers: ['set-cookie:x-cookie'] },
      replace: { headers: ['server:gatehouse', 'x-absent:nope'] },
      add: { headers: ['x-added:1', 'content-type:nope'] },
      append: { headers: ['vary:Origin'] },
    });
    const ctx = respond(h, [
      ['Content-Type', 'text/plain'],
      ['X-Powered-By', 'php'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['Server', 'upstream'],
      ['Vary', 'Accept'],
    ]);
    expect(listed(ctx)).toEqual([
      ['content-type', 'text/plain'],
      ['vary', 'Accept'],
      ['x-cookie', 'a=1'],
      ['x-cookie', 'b=2'],
      ['server', 'gatehouse'],
      ['x-added', '1'],
      ['vary', 'Origin'],
    ]);
  });

  it('decides on the headers as they arrived when a header is named twice (Kong reads one copy)', () => {
    // Kong: x-a existed, so `add` does nothing after `remove` took it away.
    const { h, c } = plugin({ remove: { headers: ['x-a'] }, add: { headers: ['x-a:new'] } });
    expect(c.snapshot).toBe(true);
    expect(listed(respond(h, [['x-a', 'old']]))).toEqual([]);
    expect(listed(respond(h, []))).toEqual([['x-a', 'new']]);
  });

  it('a config without JSON operations never touches Content-Length and has no body step', () => {
    const { h } = plugin({ add: { headers: ['x-a:1'] } });
    expect(h.body).toBeUndefined();
    const ctx = respond(h, [['content-type', 'application/json'], ['content-length', '2']]);
    expect(ctx.response.get('content-length')).toBe('2');
    expect(ctx.response.edited).toBe(false);
  });
});

describe('response-transformer: JSON body', () => {
  const CONFIG = {
    remove: { json: ['secret'] },
    rename: { json: ['old:new'] },
    replace: { json: ['status:done', 'flag:x', 'nothing:y'] },
    add: { json: ['count:3', 'status:nope', 'off:true'], json_types: ['number', 'string', 'boolean'] },
    append: { json: ['tags:c', 'name:b', 'fresh:1'] },
  };

  it('holds the body to its last chunk, removes Content-Length, and sends the transformed body once', () => {
    const { h } = plugin(CONFIG);
    const ctx = respond(h, [['Content-Type', 'application/vnd.api+json; charset=utf-8'], ['Content-Length', '120']]);
    expect(ctx.response.get('content-length')).toBeUndefined();
    const text = JSON.stringify({ secret: 's', old: 1, status: 'pending', flag: false, off: false, tags: ['a', 'b'], name: 'a' });
    const a = h.body?.(ctx, 0, Buffer.from(text.slice(0, 10)), false);
    const b = h.body?.(ctx, 0, Buffer.from(text.slice(10)), false);
    expect(a?.byteLength).toBe(0);
    expect(b?.byteLength).toBe(0);
    const out = h.body?.(ctx, 0, Buffer.alloc(0), true) as Buffer;
    // JSON false is Lua's false: not replaced, and `add` fills it.
    expect(JSON.parse(out.toString())).toEqual({ new: 1, status: 'done', flag: false, off: true, tags: ['a', 'b', 'c'], name: ['a', 'b'], count: 3, fresh: ['1'] });
  });

  it('lets a non-JSON response stream through untouched, Content-Length kept', () => {
    const { h } = plugin(CONFIG);
    const ctx = respond(h, [['Content-Type', 'text/html'], ['Content-Length', '5']]);
    expect(ctx.response.get('content-length')).toBe('5');
    const chunk = Buffer.from('<p>');
    expect(h.body?.(ctx, 0, chunk, false)).toBe(chunk);
  });

  it('sends a JSON body that does not parse (or is not an object) as it came', () => {
    for (const text of ['{"a":', '[1,2]', '"x"']) {
      const { h } = plugin(CONFIG);
      const ctx = respond(h, [['Content-Type', 'application/json']]);
      expect(h.body?.(ctx, 0, Buffer.from(text), true)?.toString()).toBe(text);
    }
    expect(transformJsonBody(Buffer.from('{"a":null}'), { remove: [], rename: [{ name: 'a', value: 'b' }], replace: [], add: [], append: [] })?.toString()).toBe('{"b":null}');
  });

  it('recognises JSON the way Kong does: application/json or application/*+json, in any item of a list', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/problem+json')).toBe(true);
    expect(isJsonContentType('text/plain, application/json')).toBe(true);
    expect(isJsonContentType('application/+json')).toBe(false);
    expect(isJsonContentType('text/json')).toBe(false);
    expect(isJsonContentType('application/json-seq')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });
});
