/**
 * Which wire format a request path speaks. One mock server answers every format by path:
 *
 *   /v1/chat/completions, /chat/completions                  OpenAI (also Mistral, vLLM, llama.cpp)
 *   /openai/deployments/:id/chat/completions?api-version=    Azure OpenAI (api-key or Entra bearer)
 *   /v1/completions, /completions, /openai/deployments/:id/completions   legacy completions
 *   /v1/embeddings, /openai/deployments/:id/embeddings       OpenAI embeddings
 *   /v1/messages                                             Anthropic Messages
 *   /v1beta/models/:model:generateContent | :streamGenerateContent | :embedContent | :batchEmbedContents
 *   /v2/chat                                                 Cohere v2 chat
 *   /model/:modelId/converse | /converse-stream              Bedrock Converse (SigV4)
 */
import { bedrockRoute } from './bedrock.js';
import type { MockFormat } from './formats.js';

export interface MockRoute {
  format: MockFormat;
  stream?: boolean;
  model?: string;
  embeddings?: 'openai' | 'gemini-one' | 'gemini-batch';
  completions?: boolean;
  /** Azure OpenAI's deployment paths: `api-key` auth and a required `api-version`. */
  azure?: boolean;
}

const AZURE = /^\/openai\/deployments\/[^/]+\/(chat\/completions|completions|embeddings)$/;

export function mockRoute(path: string): MockRoute | null {
  const azure = AZURE.exec(path);
  if (azure !== null) {
    const op = azure[1];
    if (op === 'completions') return { format: 'openai', completions: true, azure: true };
    if (op === 'embeddings') return { format: 'openai', embeddings: 'openai', azure: true };
    return { format: 'openai', azure: true };
  }
  if (path === '/v1/chat/completions' || path === '/chat/completions') return { format: 'openai' };
  if (path === '/v1/completions' || path === '/completions') return { format: 'openai', completions: true };
  if (path === '/v1/embeddings') return { format: 'openai', embeddings: 'openai' };
  if (path === '/v1/messages') return { format: 'anthropic' };
  if (path === '/v2/chat') return { format: 'cohere' };
  const bedrock = bedrockRoute(path);
  if (bedrock !== null) return { format: 'bedrock', model: bedrock.model, stream: bedrock.stream };
  const g = /^\/v1(?:beta)?\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/.exec(path);
  if (g === null) return null;
  const model = decodeURIComponent(g[1] ?? '');
  if (g[2] === 'embedContent') return { format: 'gemini', model, embeddings: 'gemini-one' };
  if (g[2] === 'batchEmbedContents') return { format: 'gemini', model, embeddings: 'gemini-batch' };
  return { format: 'gemini', model, stream: g[2] === 'streamGenerateContent' };
}
