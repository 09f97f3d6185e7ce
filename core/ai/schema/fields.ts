/**
 * Schema builders shared by the AI plugin schemas (JSON Schema draft-07 for ajv, with
 * `additionalProperties: false` and a description on every field), plus the blocks
 * several plugins share: `model`, `auth`, `logging`.
 */

import { record, text, oneOf, bool, integer, number, list, type Schema } from '../../lib/schema-kit.js';

export { record, text, oneOf, bool, integer, number, list, type Schema };

export const PROVIDERS = ['openai', 'azure', 'anthropic', 'gemini', 'mistral', 'cohere', 'bedrock', 'openai-compatible'] as const;
export const LLM_FORMATS = ['openai', 'anthropic'] as const;
export const ROUTE_TYPES = ['llm/v1/chat', 'llm/v1/completions', 'llm/v1/embeddings'] as const;
export const MAX_REQUEST_BODY_SIZE = 1_048_576;

export function modelSchema(): Schema {
  return record('The model to call and how.', {
    provider: oneOf('AI provider the request is sent to; `openai-compatible` is any server speaking the OpenAI format (vLLM, Ollama, llama.cpp).', PROVIDERS),
    name: text('Model name to execute; when set, clients may not ask for another model.'),
    options: record('Key/value settings for the model.', {
      max_tokens: integer('Default max_tokens when the client sends none.', 1, 2_147_483_647),
      temperature: number('Default sampling temperature when the client sends none.', { minimum: 0, maximum: 5 }),
      top_p: number('Default top-p when the client sends none.', { minimum: 0, maximum: 1 }),
      top_k: integer('Default top-k when the client sends none.', 0, 500),
      input_cost: number('Cost per 1M prompt tokens, for cost accounting; overrides the price table.', { minimum: 0 }),
      output_cost: number('Cost per 1M completion tokens, for cost accounting; overrides the price table.', { minimum: 0 }),
      upstream_url: text('Full URL of the model endpoint (self-hosted or private endpoints); a bare origin gets the provider default path.', { format: 'uri' }),
      upstream_path: text('Overrides the path of the upstream URL.'),
      anthropic_version: text("The `anthropic-version` header sent to Anthropic. Default '2023-06-01'."),
      azure_instance: text('Azure OpenAI instance name (`{instance}.openai.azure.com`).'),
      azure_deployment_id: text('Azure OpenAI deployment id; the model name when unset.'),
      azure_api_version: text("Azure OpenAI `api-version` query parameter.", { default: '2023-05-15' }),
      bedrock: record('Amazon Bedrock settings.', {
        aws_region: text('AWS region of the Bedrock runtime endpoint, e.g. `us-east-1`.'),
      }),
      gemini: record('Gemini on Vertex AI; leave unset for the Gemini API (AI Studio).', {
        api_endpoint: text('Regional Vertex API endpoint (hostname only).'),
        project_id: text('Vertex project id.'),
        location_id: text('Vertex location id.'),
      }),
    }),
  }, ['provider']);
}

export function authSchema(): Schema {
  return record('Credentials Gatehouse sends to the provider; the client\'s own credentials are never forwarded.', {
    header_name: text('Header carrying the key, e.g. `Authorization`, `x-api-key`, `api-key`.'),
    header_value: text("Full header value, e.g. 'Bearer sk-…' or just the key."),
    param_name: text('Query or body parameter carrying the key, e.g. `key` for Gemini.'),
    param_value: text('Value of `param_name`.'),
    param_location: oneOf("Where 'param_name' goes: the query string or the JSON body.", ['query', 'body']),
    aws_access_key_id: text('AWS access key id (Bedrock SigV4 signing).'),
    aws_secret_access_key: text('AWS secret access key (Bedrock SigV4 signing).'),
    aws_session_token: text('AWS session token for temporary credentials (Bedrock).'),
    allow_override: bool('Let a client-sent credential replace the configured one.', false),
  });
}

export function loggingSchema(): Schema {
  return record('What each call logs.', {
    log_statistics: bool('Log model, token usage, cost and latency per call.', false),
    log_payloads: bool('Log request and response bodies too.', false),
  });
}
