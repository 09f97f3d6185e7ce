/**
 * The passthrough (core/ai/passthrough.ts): an OpenAI-format client served by an
 * OpenAI-family provider gets the provider's own bytes. The expected bytes are the mock's
 * own frames (built by its format functions for the request it received), so a re-render
 * (which writes its own `created`, and drops fields it does not know) cannot pass.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPLY, startMockLlm } from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm } from '../../../bench/upstreams/mock-llm.js';
import { openAiBody, openAiFrames, readChat } from '../../../bench/upstreams/mock-llm/formats.js';
import { mistralFrames } from '../../../bench/upstreams/mock-llm/mistral.js';
import { answer } from '../../../bench/upstreams/mock-llm/scenario.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { aiConfig } from './ai-config.js';

let mock: MockLlm;
let raw: Server;
let rawUrl = '';
/** What the scripted upstream writes next: one write each, 2 ms apart (Buffers keep byte-exact splits). */
let script: (string | Buffer)[] = [];
let gw: Gateway;

function proxy(provider: string, url: string, name: string): { name: string; config: Record<string, unknown> } {
  return { name: 'ai-proxy', config: { route_type: 'llm/v1/chat', model: { provider, name, options: { upstream_url: url } }, auth: {} } };
}

beforeAll(async () => {
  mock = await startMockLlm({ provider: 'openai' });
  raw = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const writes = script;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const next = (): void => {
        if (i >= writes.length) return void res.end();
        res.write(writes[i++]);
        setTimeout(next, 2);
      };
      next();
    });
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
  rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  gw = await startGateway(aiConfig([
    { name: 'openai', path: '/pt/v1/chat/completions', plugins: [proxy('openai', mock.url, 'gpt-4o-mini')] },
    { name: 'mistral', path: '/mistral/v1/chat/completions', plugins: [proxy('mistral', mock.url, 'mistral-small-latest')] },
    { name: 'raw', path: '/raw/v1/chat/completions', plugins: [proxy('openai-compatible', rawUrl, 'raw-model')] },
    {
      name: 'failover',
      path: '/failover/v1/chat/completions',
      plugins: [{
        name: 'ai-proxy-advanced',
        config: {
          balancer: { algorithm: 'priority', failover_criteria: ['error', 'timeout', 'http_500'] },
          targets: [
            { route_type: 'llm/v1/chat', model: { provider: 'openai-compatible', name: 'raw-model', options: { upstream_url: rawUrl } }, auth: {}, weight: 100 },
            { route_type: 'llm/v1/chat', model: { provider: 'openai', name: 'gpt-4o-mini', options: { upstream_url: mock.url } }, auth: {}, weight: 1 },
          ],
        },
      }],
    },
  ]));
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
  await new Promise((r) => raw?.close(r));
});

async function post(route: string, body: Record<string, unknown>): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${gw.url}/${route}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** The mock's frames for its newest request (n = its answer's sequence number). */
function mockFrames(includeUsage: boolean, withUsage = true): string[] {
  const n = mock.requests.length;
  const body = mock.lastRequest()?.body as Record<string, unknown>;
  const chat = readChat('openai', body, 'mock-model');
  const a = answer(chat, DEFAULT_REPLY, n);
  if (chat.model.startsWith('mistral')) return mistralFrames(a, chat, `chatcmpl-mock-${n}`, 1_700_000_000 + n, withUsage);
  return openAiFrames(a, { ...chat, includeUsage }, `chatcmpl-mock-${n}`, 1_700_000_000 + n, withUsage);
}

const ASK = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there gateway' }] };

describe('passthrough: OpenAI provider, OpenAI client', () => {
  it('non-streamed: the body is the mock\'s, byte for byte', async () => {
    const res = await post('pt', ASK);
    expect(res.status).toBe(200);
    const n = mock.requests.length;
    const chat = readChat('openai', mock.lastRequest()?.body as Record<string, unknown>, 'mock-model');
    expect(res.text).toBe(openAiBody(answer(chat, DEFAULT_REPLY, n), chat, `chatcmpl-mock-${n}`, 1_700_000_000 + n, true));
    expect(res.headers.get('x-kong-llm-model')).toBe('openai/gpt-4o-mini');
    expect(res.headers.get('via')).toMatch(/gatehouse/i);
  });

  it('streamed without include_usage: the mock\'s frames, less the usage chunk the gateway asked for', async () => {
    const res = await post('pt', { ...ASK, stream: true });
    expect(res.status).toBe(200);
    expect((mock.lastRequest()?.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    const all = mockFrames(true);
    const hidden = mockFrames(false);
    expect(all.length).toBe(hidden.length + 1);
    expect(res.text).toBe(hidden.join(''));
    expect(res.text).not.toContain('"usage"');
  });

  it('streamed with include_usage: every frame of the mock, usage chunk included', async () => {
    const res = await post('pt', { ...ASK, stream: true, stream_options: { include_usage: true } });
    expect(res.text).toBe(mockFrames(true).join(''));
    expect(res.text).toContain('"usage":{');
  });

  it('an upstream without usage: frames as they came, and the estimate chunk for a client that asked', async () => {
    mock.configure({ omitUsage: true });
    try {
      const plain = await post('pt', { ...ASK, stream: true });
      expect(plain.text).toBe(mockFrames(false, false).join(''));
      const asked = await post('pt', { ...ASK, stream: true, stream_options: { include_usage: true } });
      const frames = mockFrames(true, false);
      const done = frames.pop();
      expect(done).toBe('data: [DONE]\n\n');
      expect(asked.text.startsWith(frames.join(''))).toBe(true);
      const rest = asked.text.slice(frames.join('').length);
      expect(rest.endsWith('data: [DONE]\n\n')).toBe(true);
      const usageChunk = JSON.parse(rest.slice('data: '.length, rest.indexOf('\n\n'))) as { choices: unknown[]; usage: { prompt_tokens: number; completion_tokens: number } };
      expect(usageChunk.choices).toEqual([]);
      expect(usageChunk.usage.prompt_tokens).toBeGreaterThan(0);
      expect(usageChunk.usage.completion_tokens).toBeGreaterThan(0);
    } finally {
      mock.configure({ omitUsage: false });
    }
  });
});

describe('passthrough: Mistral (usage always on the finishing chunk)', () => {
  const ASK_M = { model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hello there gateway' }], stream: true };

  it('not asked: the finishing chunk reaches the client without its usage; every other frame as is', async () => {
    const res = await post('mistral', ASK_M);
    expect((mock.lastRequest()?.body as Record<string, unknown>)['stream_options']).toBeUndefined();
    const frames = mockFrames(false);
    const got = res.text.split(/(?<=\n\n)/);
    expect(got.length).toBe(frames.length);
    const finish = frames.findIndex((f) => f.includes('"usage"'));
    expect(finish).toBeGreaterThan(0);
    for (let i = 0; i < frames.length; i++) {
      if (i !== finish) expect(got[i]).toBe(frames[i]);
    }
    const want = JSON.parse((frames[finish] as string).slice(6)) as Record<string, unknown>;
    delete want['usage'];
    expect(JSON.parse((got[finish] as string).slice(6))).toEqual(want);
    expect(res.text).not.toContain('"usage"');
  });

  it('asked: the mock\'s frames byte for byte', async () => {
    const res = await post('mistral', { ...ASK_M, stream_options: { include_usage: true } });
    expect(res.text).toBe(mockFrames(true).join(''));
  });
});

describe('passthrough: frames from a scripted upstream', () => {
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 7, model: 'raw-model', system_fingerprint: 'fp_raw', choices: [{ index: 0, delta, finish_reason: finish }], usage: null, ...extra })}`;
  const usage = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 7, model: 'raw-model', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })}`;

  it('CRLF frames split mid-frame and mid-character reach the client unchanged; the usage chunk is hidden', async () => {
    const frames = [chunk({ role: 'assistant', content: '' }, null), chunk({ content: 'Grüß ' }, null), chunk({ content: 'dich' }, null), chunk({}, 'stop'), usage, 'data: [DONE]'].map((f) => `${f}\r\n\r\n`);
    const bytes = Buffer.from(frames.join(''));
    const cut = bytes.indexOf(Buffer.from('ü')) + 1; // inside the two-byte ü
    script = [bytes.subarray(0, 17), bytes.subarray(17, cut), bytes.subarray(cut)];
    const res = await post('raw', { model: 'raw-model', messages: [{ role: 'user', content: 'hi' }], stream: true });
    expect(res.text).toBe(frames.filter((f) => !f.includes('"usage":{')).join(''));
    expect(res.text).toContain('fp_raw');
  });

  it('an error frame before any output fails over to the next target', async () => {
    script = [`data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })}\n\n`];
    const before = mock.requests.length;
    const res = await post('failover', { ...ASK, stream: true });
    expect(res.status).toBe(200);
    expect(mock.requests.length).toBe(before + 1);
    expect(res.text).toBe(mockFrames(false).join(''));
    expect(res.text).not.toContain('overloaded');
  });

  it('an error frame after output is shown as is, then [DONE]; no failover', async () => {
    const err = `data: ${JSON.stringify({ error: { message: 'went wrong', type: 'server_error' } })}\n\n`;
    script = [`${chunk({ role: 'assistant', content: '' }, null)}\n\n${chunk({ content: 'Hi' }, null)}\n\n`, err, `${chunk({}, 'stop')}\n\n`, 'data: [DONE]\n\n'];
    const before = mock.requests.length;
    const res = await post('failover', { ...ASK, stream: true });
    expect(mock.requests.length).toBe(before);
    expect(res.text).toBe(`${script[0]}${err}data: [DONE]\n\n`);
  });
});
