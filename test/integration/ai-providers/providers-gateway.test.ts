/**
 * Every provider Gatehouse speaks besides openai/anthropic/gemini, through a running
 * gateway, with the official `openai` client on the front and one mock server speaking
 * each provider's real wire format behind: Azure (deployment path, `api-key`), Mistral
 * (its dialect: no stream_options, usage on the finishing chunk), Cohere v2 (`/v2/chat`,
 * bearer), Bedrock Converse (SigV4, binary event-stream) and an OpenAI-compatible server
 * at a llama.cpp-style path. For each: chat plain and streamed, tool calls plain and
 * streamed, a tool result round trip, usage equal to the mock's counts, the provider's own
 * credential upstream and never the client's, and an upstream error in the client's format.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_REPLY, MOCK_AWS_ACCESS_KEY_ID, MOCK_AWS_SECRET_ACCESS_KEY, TOOL_CALL_TOKENS, replyTokens, startMockLlm, wordCount,
} from '../../../bench/upstreams/mock-llm.js';
import type { MockLlm, RecordedRequest } from '../../../bench/upstreams/mock-llm.js';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { aiConfig } from '../ai/ai-config.js';

const CLIENT_KEY = 'client-own-secret-key';
const PROMPT = 'Say hello to the gateway please';
const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

interface ProviderCase {
  provider: 'azure' | 'mistral' | 'cohere' | 'bedrock' | 'openai-compatible';
  model: string;
  /** model.options beyond upstream_url, given the mock's origin. */
  options(mockUrl: string): Record<string, unknown>;
  auth: Record<string, unknown>;
  /** The path (and query) the provider is called at, non-streamed and streamed. */
  upstreamPath: string;
  upstreamStreamPath: string;
  /** The provider's credential as the mock received it. */
  checkAuth(req: RecordedRequest): void;
}

const BEDROCK_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

const CASES: readonly ProviderCase[] = [
  {
    provider: 'azure',
    model: 'gpt-4o',
    options: (url) => ({ upstream_url: url, azure_deployment_id: 'prod-gpt4o', azure_api_version: '2024-10-21' }),
    auth: { header_name: 'api-key', header_value: 'azure-secret' },
    upstreamPath: '/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21',
    upstreamStreamPath: '/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21',
    checkAuth(req) {
      expect(req.headers['api-key']).toBe('azure-secret');
      expect(req.headers['authorization']).toBeUndefined();
    },
  },
  {
    provider: 'mistral',
    model: 'mistral-small-latest',
    options: (url) => ({ upstream_url: url }),
    auth: { header_name: 'Authorization', header_value: 'Bearer mistral-secret' },
    upstreamPath: '/v1/chat/completions',
    upstreamStreamPath: '/v1/chat/completions',
    checkAuth(req) {
      expect(req.headers['authorization']).toBe('Bearer mistral-secret');
    },
  },
  {
    provider: 'cohere',
    model: 'command-r-plus-08-2024',
    options: (url) => ({ upstream_url: url }),
    auth: { header_name: 'Authorization', header_value: 'Bearer cohere-secret' },
    upstreamPath: '/v2/chat',
    upstreamStreamPath: '/v2/chat',
    checkAuth(req) {
      expect(req.headers['authorization']).toBe('Bearer cohere-secret');
    },
  },
  {
    provider: 'bedrock',
    model: BEDROCK_MODEL,
    options: (url) => ({ upstream_url: url, bedrock: { aws_region: 'eu-west-1' } }),
    auth: { aws_access_key_id: MOCK_AWS_ACCESS_KEY_ID, aws_secret_access_key: MOCK_AWS_SECRET_ACCESS_KEY },
    upstreamPath: `/model/${encodeURIComponent(BEDROCK_MODEL)}/converse`,
    upstreamStreamPath: `/model/${encodeURIComponent(BEDROCK_MODEL)}/converse-stream`,
    checkAuth(req) {
      // The mock also recomputed the signature with the secret: a 200 means it matched.
      expect(req.headers['authorization']).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${MOCK_AWS_ACCESS_KEY_ID}/\\d{8}/eu-west-1/bedrock/aws4_request, SignedHeaders=[a-z;-]*host[a-z;-]*, Signature=[0-9a-f]{64}$`));
      expect(req.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    },
  },
  {
    provider: 'openai-compatible',
    model: 'llama-3.1-8b-instruct',
    // llama.cpp's server answers at /chat/completions (no /v1)
    options: (url) => ({ upstream_url: `${url}/chat/completions` }),
    auth: { header_name: 'Authorization', header_value: 'Bearer local-secret' },
    upstreamPath: '/chat/completions',
    upstreamStreamPath: '/chat/completions',
    checkAuth(req) {
      expect(req.headers['authorization']).toBe('Bearer local-secret');
    },
  },
];

let mock: MockLlm;
let gw: Gateway;

function routePath(c: ProviderCase): string {
  return `/${c.provider}/v1/chat/completions`;
}

beforeAll(async () => {
  mock = await startMockLlm();
  const routes = CASES.map((c) => ({
    name: `route-${c.provider}`,
    path: routePath(c),
    plugins: [{ name: 'ai-proxy', config: { route_type: 'llm/v1/chat', model: { provider: c.provider, name: c.model, options: c.options(mock.url) }, auth: c.auth } }],
  }));
  // Azure at Kong's default api-version (2023-05-15), which refuses stream_options.
  routes.push({
    name: 'route-azure-legacy',
    path: '/azure-legacy/v1/chat/completions',
    plugins: [{ name: 'ai-proxy', config: { route_type: 'llm/v1/chat', model: { provider: 'azure', name: 'gpt-4o', options: { upstream_url: mock.url, azure_deployment_id: 'legacy' } }, auth: { header_name: 'api-key', header_value: 'azure-secret' } } }],
  });
  gw = await startGateway(aiConfig(routes));
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await mock?.close();
});

/** The mock's requests made during `fn`. */
async function upstreamCalls<T>(fn: () => Promise<T>): Promise<{ result: T; calls: RecordedRequest[] }> {
  const before = mock.requests.length;
  const result = await fn();
  return { result, calls: mock.requests.slice(before) };
}

/** The client's own key never reaches a provider, in any header. */
function expectNoClientKey(calls: readonly RecordedRequest[]): void {
  expect(calls.length).toBeGreaterThan(0);
  for (const call of calls) {
    for (const value of Object.values(call.headers)) expect(String(value)).not.toContain(CLIENT_KEY);
  }
}

const promptTokens = wordCount(PROMPT);
const replyCount = replyTokens(DEFAULT_REPLY).length;

describe.each(CASES)('provider $provider through the gateway', (c) => {
  const client = (): OpenAI => new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gw.url}/${c.provider}/v1`, maxRetries: 0 });

  it('chat: content, finish reason and usage exactly as the mock counted; the provider credential, never the client key', async () => {
    const { result: res, calls } = await upstreamCalls(() => client().chat.completions.create({ model: c.model, messages: [{ role: 'user', content: PROMPT }] }));
    expect(res.choices[0]?.message.content).toBe(DEFAULT_REPLY);
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: replyCount, total_tokens: promptTokens + replyCount });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.path).toBe(c.upstreamPath);
    c.checkAuth(calls[0]!);
    expectNoClientKey(calls);
  });

  it('streaming with include_usage: the text chunk by chunk, finish, then the mock\'s usage', async () => {
    const { result, calls } = await upstreamCalls(async () => {
      const stream = await client().chat.completions.create({ model: c.model, messages: [{ role: 'user', content: PROMPT }], stream: true, stream_options: { include_usage: true } });
      let text = '';
      let finish: string | null = null;
      let usage: unknown = null;
      let textChunks = 0;
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (choice?.delta.content) {
          text += choice.delta.content;
          textChunks++;
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
      return { text, finish, usage, textChunks };
    });
    expect(result.text).toBe(DEFAULT_REPLY);
    expect(result.textChunks).toBe(replyCount);
    expect(result.finish).toBe('stop');
    expect(result.usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: replyCount, total_tokens: promptTokens + replyCount });
    expect(calls[0]?.path).toBe(c.upstreamStreamPath);
    c.checkAuth(calls[0]!);
    expectNoClientKey(calls);
  });

  it('streaming without include_usage: no usage chunk reaches the client', async () => {
    const stream = await client().chat.completions.create({ model: c.model, messages: [{ role: 'user', content: PROMPT }], stream: true });
    let text = '';
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe(DEFAULT_REPLY);
    expect(sawUsage).toBe(false);
  });

  it('tool call: name, arguments and finish reason, plain and streamed', async () => {
    const res = await client().chat.completions.create({ model: c.model, messages: [{ role: 'user', content: 'weather in Oslo?' }], tools: [weatherTool] });
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'mock' });
    expect(call?.id).toMatch(/\S/);
    expect(res.usage).toMatchObject({ prompt_tokens: wordCount('weather in Oslo?'), completion_tokens: TOOL_CALL_TOKENS });

    const stream = client().chat.completions.stream({ model: c.model, messages: [{ role: 'user', content: 'weather in Oslo?' }], tools: [weatherTool], stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(streamed?.type === 'function' && streamed.function.name).toBe('get_weather');
    expect(streamed?.type === 'function' && JSON.parse(streamed.function.arguments)).toEqual({ city: 'mock' });
    expect(final.usage).toMatchObject({ prompt_tokens: wordCount('weather in Oslo?'), completion_tokens: TOOL_CALL_TOKENS });
  });

  it('a tool result goes back in the provider\'s format and the model answers in text', async () => {
    const res = await client().chat.completions.create({
      model: c.model,
      messages: [
        { role: 'user', content: 'weather in Oslo?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
      tools: [weatherTool],
    });
    expect(res.choices[0]?.finish_reason).toBe('stop');
    expect(res.choices[0]?.message.content).toBe(DEFAULT_REPLY);
  });

  it('an upstream 429 reaches the client as an OpenAI error with the provider\'s message', async () => {
    mock.configure({ fail: { status: 429, times: 1, message: `${c.provider} says slow down` } });
    try {
      const err = await client().chat.completions.create({ model: c.model, messages: [{ role: 'user', content: PROMPT }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      expect((err as InstanceType<typeof OpenAI.RateLimitError>).message).toContain(`${c.provider} says slow down`);
    } finally {
      mock.configure({ fail: null });
    }
  });
});

describe('provider-specific wire details', () => {
  it('azure before api-version 2024-09-01 streams without stream_options; the usage the client asked for is an estimate', async () => {
    const { result, calls } = await upstreamCalls(async () => {
      const stream = await new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gw.url}/azure-legacy/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: PROMPT }], stream: true, stream_options: { include_usage: true } });
      let text = '';
      let usage: { prompt_tokens: number; completion_tokens: number } | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      return { text, usage };
    });
    expect(calls[0]?.path).toBe('/openai/deployments/legacy/chat/completions?api-version=2023-05-15');
    expect(calls[0]?.body).not.toHaveProperty('stream_options');
    expect(result.text).toBe(DEFAULT_REPLY);
    expect(result.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(result.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('mistral gets no stream_options (Mistral refuses unknown fields) and still reports usage', async () => {
    const { calls } = await upstreamCalls(async () => {
      const stream = await new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gw.url}/mistral/v1`, maxRetries: 0 }).chat.completions.create({ model: 'mistral-small-latest', messages: [{ role: 'user', content: PROMPT }], stream: true, stream_options: { include_usage: true } });
      for await (const _ of stream) { /* drain */ }
    });
    expect(calls[0]?.body).toMatchObject({ stream: true });
    expect(calls[0]?.body).not.toHaveProperty('stream_options');
  });

  it('cohere gets its v2 body: messages, tools as functions, stream flag', async () => {
    const { calls } = await upstreamCalls(() => new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gw.url}/cohere/v1`, maxRetries: 0 }).chat.completions.create({
      model: 'command-r-plus-08-2024', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: PROMPT }], tools: [weatherTool], top_p: 0.5,
    }));
    expect(calls[0]?.body).toMatchObject({
      model: 'command-r-plus-08-2024',
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: PROMPT }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.function.parameters } }],
      p: 0.5,
    });
    expect(calls[0]?.body).not.toHaveProperty('stream');
  });

  it('bedrock gets a Converse body: system apart, content blocks, toolConfig', async () => {
    const { calls } = await upstreamCalls(() => new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gw.url}/bedrock/v1`, maxRetries: 0 }).chat.completions.create({
      model: BEDROCK_MODEL, messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: PROMPT }], tools: [weatherTool], max_tokens: 64,
    }));
    expect(calls[0]?.body).toEqual({
      system: [{ text: 'be brief' }],
      messages: [{ role: 'user', content: [{ text: PROMPT }] }],
      inferenceConfig: { maxTokens: 64 },
      toolConfig: { tools: [{ toolSpec: { name: 'get_weather', description: 'Weather for a city', inputSchema: { json: weatherTool.function.parameters } } }] },
    });
  });
});
