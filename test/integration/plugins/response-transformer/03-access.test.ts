/**
 * response-transformer through a gateway with 2 workers: what the client receives —
 * headers transformed, a JSON body (sized, or streamed by the upstream in many chunks)
 * rewritten once and sent without Content-Length, other bodies untouched with their
 * length, HEAD answered without a body, and the gateway's own JSON answers (a 401 from
 * key-auth) transformed too, as Kong runs body_filter on kong.response.exit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginRig, type PluginRig } from '../../../helpers/plugin-suite.js';
import type { Handler } from '../../../helpers/upstream.js';

const BIG_ITEMS = 20_000;

/** Answers by path: a sized JSON object, a JSON object in many unsized chunks, or text. */
const upstream: Handler = (req, res) => {
  const common = { 'x-powered-by': 'node', 'x-old': 'o' };
  if (req.url?.startsWith('/json')) {
    const text = JSON.stringify({ secret: 'a secret the client never sees', status: 'pending', tags: ['a'] });
    res.writeHead(200, { ...common, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(req.method === 'HEAD' ? undefined : text);
    return;
  }
  if (req.url === '/stream') {
    res.writeHead(200, { ...common, 'content-type': 'application/json' });
    res.write('{"secret":"s","items":[');
    let i = 0;
    const more = (): void => {
      for (let n = 0; n < 1000 && i < BIG_ITEMS; n++, i++) res.write(`${i === 0 ? '' : ','}{"n":${i}}`);
      if (i < BIG_ITEMS) setImmediate(more);
      else res.end(']}');
    };
    more();
    return;
  }
  const text = 'plain {"secret":"s"}';
  res.writeHead(200, { ...common, 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

describe('response-transformer', () => {
  let rig: PluginRig;
  beforeAll(async () => {
    rig = await startPluginRig(
      [
        { name: 'key-auth' },
        {
          name: 'response-transformer',
          config: {
            remove: { headers: ['x-powered-by'], json: ['secret'] },
            rename: { headers: ['x-old:x-new'] },
            add: { headers: ['x-added:1'], json: ['count:3', 'status:ignored'], json_types: ['number'] },
            append: { json: ['tags:b'] },
          },
        },
      ],
      { handler: upstream, extra: { consumers: [{ username: 'alice', keyauth_credentials: [{ key: 'k' }] }] } },
    );
  });
  afterAll(() => rig?.close());

  const get = (path: string, init: RequestInit = {}): Promise<Response> => fetch(rig.url(path), { ...init, headers: { apikey: 'k', ...init.headers } });

  it('transforms the headers and the JSON body; the upstream\'s Content-Length is not passed on', async () => {
    const res = await get('/json');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-new')).toBe('o');
    expect(res.headers.get('x-old')).toBeNull();
    expect(res.headers.get('x-added')).toBe('1');
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ status: 'pending', tags: ['a', 'b'], count: 3 });
    // Chunked, or (the whole body ready in one write) the new body's own length.
    const length = res.headers.get('content-length');
    if (length !== null) expect(Number(length)).toBe(Buffer.byteLength(text));
  });

  it('holds a JSON body the upstream streams in many chunks until its end', async () => {
    const res = await get('/stream');
    const body = (await res.json()) as { secret?: string; items: { n: number }[]; count: number };
    expect(body.secret).toBeUndefined();
    expect(body.count).toBe(3);
    expect(body.items.length).toBe(BIG_ITEMS);
    expect(body.items[BIG_ITEMS - 1]).toEqual({ n: BIG_ITEMS - 1 });
  });

  it('leaves a non-JSON body as it came, Content-Length included (headers still transformed)', async () => {
    const res = await get('/text');
    expect(res.headers.get('content-length')).toBe('20');
    expect(res.headers.get('x-added')).toBe('1');
    expect(await res.text()).toBe('plain {"secret":"s"}');
  });

  it('answers HEAD on a JSON resource without a body', async () => {
    const res = await get('/json', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-added')).toBe('1');
    expect(await res.text()).toBe('');
  });

  it('transforms the JSON answer of a plugin that stopped the request (key-auth\'s 401)', async () => {
    const res = await fetch(rig.url('/json'));
    expect(res.status).toBe(401);
    expect(res.headers.get('x-added')).toBe('1');
    expect(res.headers.get('www-authenticate')).toBe('Key');
    expect(await res.json()).toEqual({ message: 'No API key found in request', count: 3, status: 'ignored', tags: ['b'] });
  });
});
