/**
 * The OpenAI embeddings wire format (`POST /v1/embeddings`) <-> the canonical
 * EmbeddingsRequest / EmbeddingsResponse, both ways: the client side (route_type
 * `llm/v1/embeddings` always speaks it) and the OpenAI-shaped upstreams (openai, azure,
 * mistral, openai-compatible).
 *
 * Upstreams are always asked for float vectors; a client that wants `encoding_format:
 * base64` (the official `openai` SDKs ask for it by default and decode it) gets each
 * vector as base64 of little-endian float32, as OpenAI sends it.
 */
import type { EmbeddingsRequest, EmbeddingsResponse, Parsed } from '../types.js';
import { arr, isObject, num, str } from '../json-shape.js';
import type { JsonObject } from '../json-shape.js';

/** A client embeddings body -> canonical. Token-id arrays are refused: their ids only mean something to one tokenizer. */
export function parseOpenAiEmbeddingsRequest(body: unknown): Parsed<EmbeddingsRequest> {
  if (!isObject(body)) return { ok: false, message: 'request body must be a JSON object' };
  const input = body['input'];
  const list = typeof input === 'string' ? [input] : Array.isArray(input) && input.length > 0 && input.every((s) => typeof s === 'string') ? (input as string[]) : undefined;
  if (list === undefined) return { ok: false, message: "'input' must be a string or a non-empty array of strings" };
  const format = body['encoding_format'] ?? 'float';
  if (format !== 'float' && format !== 'base64') return { ok: false, message: "'encoding_format' must be float or base64" };
  const req: EmbeddingsRequest = { model: str(body, 'model') ?? '', input: list, encodingFormat: format, stream: false, streamUsage: false };
  const dims = num(body, 'dimensions');
  if (dims !== undefined) {
    if (!Number.isInteger(dims) || dims < 1) return { ok: false, message: "'dimensions' must be a positive integer" };
    req.dimensions = dims;
  }
  const user = str(body, 'user');
  if (user !== undefined) req.user = user;
  return { ok: true, value: req };
}

/** Canonical -> an OpenAI embeddings body for an upstream (float vectors). */
export function renderOpenAiEmbeddingsRequest(req: EmbeddingsRequest): JsonObject {
  const body: JsonObject = { model: req.model, input: req.input, encoding_format: 'float' };
  if (req.dimensions !== undefined) body['dimensions'] = req.dimensions;
  if (req.user !== undefined) body['user'] = req.user;
  return body;
}

/** An OpenAI embeddings answer -> canonical; vectors ordered by their `index`. */
export function parseOpenAiEmbeddingsResponse(body: unknown): Parsed<EmbeddingsResponse> {
  if (!isObject(body)) return { ok: false, message: 'upstream answer is not a JSON object' };
  const data = arr(body, 'data');
  if (data === undefined) return { ok: false, message: 'upstream answer has no data' };
  const vectors: number[][] = new Array<number[]>(data.length);
  for (let i = 0; i < data.length; i++) {
    const d = data[i];
    if (!isObject(d) || !Array.isArray(d['embedding'])) return { ok: false, message: `upstream answer data[${i}] has no embedding` };
    const index = num(d, 'index') ?? i;
    if (index < 0 || index >= data.length) return { ok: false, message: `upstream answer data[${i}] has a bad index` };
    vectors[index] = d['embedding'] as number[];
  }
  const usage = isObject(body['usage']) ? body['usage'] : undefined;
  const prompt = usage === undefined ? undefined : num(usage, 'prompt_tokens');
  return {
    ok: true,
    value: {
      model: str(body, 'model') ?? '',
      vectors,
      usage: prompt === undefined ? null : { prompt, completion: 0, total: (usage === undefined ? undefined : num(usage, 'total_tokens')) ?? prompt, estimated: false },
    },
  };
}

/** A vector as base64 of little-endian float32 (OpenAI's `encoding_format: base64`). */
export function base64Vector(vector: readonly number[]): string {
  const buf = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i] ?? 0, i * 4);
  return buf.toString('base64');
}

/** Canonical -> the client's answer. `usage` is required here: the exchange passes the provider's or an estimate. */
export function renderOpenAiEmbeddingsResponse(res: EmbeddingsResponse, format: 'float' | 'base64'): string {
  const usage = res.usage ?? { prompt: 0, total: 0 };
  return JSON.stringify({
    object: 'list',
    data: res.vectors.map((v, index) => ({ object: 'embedding', index, embedding: format === 'base64' ? base64Vector(v) : v })),
    model: res.model,
    usage: { prompt_tokens: usage.prompt, total_tokens: usage.total },
  });
}
