/** ai-proxy: one route, one model (Kong's field names and defaults). */
import { LLM_FORMATS, MAX_REQUEST_BODY_SIZE, ROUTE_TYPES, authSchema, bool, integer, loggingSchema, modelSchema, oneOf, record } from './fields.js';
import type { Schema } from './fields.js';

export function aiProxySchema(): Schema {
  return record('ai-proxy: proxy a route to one LLM provider, translating formats.', {
    route_type: oneOf('The operation this route serves: llm/v1/chat (chat completions, every provider), llm/v1/completions (legacy completions; openai, azure and openai-compatible natively, the others through chat) or llm/v1/embeddings (openai, azure, mistral, openai-compatible, gemini).', ROUTE_TYPES),
    model: modelSchema(),
    auth: authSchema(),
    logging: loggingSchema(),
    llm_format: oneOf('The format clients speak on this route; anthropic only with route_type llm/v1/chat.', LLM_FORMATS, 'openai'),
    response_streaming: oneOf("Whether to 'allow', 'deny' or 'always' stream answers as server-sent events.", ['allow', 'deny', 'always'], 'allow'),
    max_request_body_size: integer('Largest request body read, in bytes; 0 = unlimited.', 0, 2_147_483_647, MAX_REQUEST_BODY_SIZE),
    model_name_header: bool('Send the model used in the X-Kong-LLM-Model response header.', true),
  }, ['route_type', 'model']);
}
