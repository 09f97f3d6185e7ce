/**
 * Amazon Bedrock Converse API as the mock speaks it:
 *   POST /model/{modelId}/converse          JSON answer {output.message, stopReason, usage, metrics}
 *   POST /model/{modelId}/converse-stream   `application/vnd.amazon.eventstream` binary frames:
 *     messageStart, [contentBlockStart (tool use)], contentBlockDelta*, contentBlockStop,
 *     messageStop {stopReason}, metadata {usage, metrics}
 * Every event frame carries `:event-type`, `:content-type: application/json` and
 * `:message-type: event` headers, and its JSON payload has Bedrock's `p` padding field.
 *
 * Requests must be SigV4-signed (AWS4-HMAC-SHA256, service `bedrock`) with the mock's
 * access key id; when the mock also knows the secret, it recomputes the signature over
 * what actually arrived (method, path, query, the signed headers, the body). Errors are
 * `{message}` with an `x-amzn-errortype` header, as the real service answers.
 *
 * The frame encoder here is the mock's own, written from the AWS event-stream spec, so the
 * gateway's decoder (core/ai/providers/event-stream.ts) is checked against a second
 * implementation rather than against itself.
 *
 *   +------------+-------------+-------------+---------+---------+-------------+
 *   | total u32  | headers u32 | prelude crc | headers | payload | message crc |
 *   +------------+-------------+-------------+---------+---------+-------------+
 */
import type { IncomingMessage } from 'node:http';
import { crc32 } from 'node:zlib';
import { signV4 } from '../../../core/ai/providers/sigv4.js';
import type { MockAnswer, MockChat, MockTool } from './scenario.js';

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The key pair the mock accepts unless told otherwise (AWS's documented example key). */
export const MOCK_AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const MOCK_AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

export interface BedrockCredentials {
  accessKeyId: string;
  /** When set, the signature itself is verified too. */
  secretAccessKey?: string;
}

/** `/model/{id}/converse[-stream]` -> the model id and whether it streams; null for other paths. */
export function bedrockRoute(path: string): { model: string; stream: boolean } | null {
  const m = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(path);
  if (m === null) return null;
  return { model: decodeURIComponent(m[1] ?? ''), stream: m[2] === 'converse-stream' };
}

function blocksText(blocks: unknown): string {
  if (!Array.isArray(blocks)) return '';
  return blocks.map((b) => {
    if (!isObj(b)) return '';
    if (typeof b['text'] === 'string') return b['text'];
    if (isObj(b['toolResult'])) return blocksText(b['toolResult']['content']);
    return '';
  }).join(' ');
}

export function readBedrockChat(body: Json, model: string, stream: boolean): MockChat {
  const messages = Array.isArray(body['messages']) ? body['messages'].filter(isObj) : [];
  const config = isObj(body['toolConfig']) ? body['toolConfig'] : {};
  const tools: MockTool[] = [];
  for (const t of Array.isArray(config['tools']) ? config['tools'].filter(isObj) : []) {
    const spec = isObj(t['toolSpec']) ? t['toolSpec'] : {};
    const schema = isObj(spec['inputSchema']) && isObj(spec['inputSchema']['json']) ? spec['inputSchema']['json'] : {};
    tools.push({ name: String(spec['name'] ?? ''), parameters: schema });
  }
  const last = messages[messages.length - 1]?.['content'];
  return {
    model,
    promptText: [blocksText(body['system']), ...messages.map((m) => blocksText(m['content']))].join(' '),
    tools,
    afterToolResult: Array.isArray(last) && last.some((b) => isObj(b) && isObj(b['toolResult'])),
    stream,
    includeUsage: true,
  };
}

function usage(a: MockAnswer): Json {
  return { inputTokens: a.promptTokens, outputTokens: a.completionTokens, totalTokens: a.promptTokens + a.completionTokens };
}

function toolUseId(a: MockAnswer): string {
  return (a.toolCall?.id ?? '').replace('call_', 'tooluse_');
}

export function bedrockBody(a: MockAnswer, withUsage: boolean): string {
  const content = a.toolCall === null
    ? [{ text: a.tokens.join('') }]
    : [{ toolUse: { toolUseId: toolUseId(a), name: a.toolCall.name, input: a.toolCall.args } }];
  const body: Json = { output: { message: { role: 'assistant', content } }, stopReason: a.toolCall === null ? 'end_turn' : 'tool_use' };
  if (withUsage) body['usage'] = usage(a);
  body['metrics'] = { latencyMs: 1 };
  return JSON.stringify(body);
}

/** One event-stream message with string headers (type 7). */
export function eventStreamFrame(headers: Record<string, string>, payload: string): Uint8Array {
  const enc = new TextEncoder();
  const head: number[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = enc.encode(name);
    const v = enc.encode(value);
    head.push(n.length, ...n, 7, v.length >> 8, v.length & 0xff, ...v);
  }
  const body = enc.encode(payload);
  const total = 12 + head.length + body.length + 4;
  const buf = Buffer.alloc(total);
  buf.writeUInt32BE(total, 0);
  buf.writeUInt32BE(head.length, 4);
  buf.writeUInt32BE(crc32(buf.subarray(0, 8)), 8);
  Buffer.from(head).copy(buf, 12);
  Buffer.from(body).copy(buf, 12 + head.length);
  buf.writeUInt32BE(crc32(buf.subarray(0, total - 4)), total - 4);
  return buf;
}

export interface BinaryFrame {
  bytes: Uint8Array;
  /** Carries a token (text or tool arguments): paced and counted by the fault options. */
  token: boolean;
}

/** Bedrock pads each event with a `p` field of varying length (against size side channels). */
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';

function event(type: string, data: Json, token = false, seq = 0): BinaryFrame {
  const payload = JSON.stringify({ ...data, p: PADDING.slice(0, 4 + (seq % 20)) });
  return { bytes: eventStreamFrame({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, payload), token };
}

export function bedrockFrames(a: MockAnswer, withUsage: boolean): BinaryFrame[] {
  const frames = [event('messageStart', { role: 'assistant' })];
  if (a.toolCall !== null) {
    frames.push(event('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: toolUseId(a), name: a.toolCall.name } } }));
    a.toolCall.argPieces.forEach((piece, i) => frames.push(event('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: piece } } }, true, i)));
  } else {
    a.tokens.forEach((t, i) => frames.push(event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: t } }, true, i)));
  }
  frames.push(event('contentBlockStop', { contentBlockIndex: 0 }));
  frames.push(event('messageStop', { stopReason: a.toolCall === null ? 'end_turn' : 'tool_use' }));
  const meta: Json = { metrics: { latencyMs: 1 } };
  if (withUsage) meta['usage'] = usage(a);
  frames.push(event('metadata', meta));
  return frames;
}

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'ValidationException', 403: 'AccessDeniedException', 404: 'ResourceNotFoundException', 408: 'ModelTimeoutException',
  424: 'ModelErrorException', 429: 'ThrottlingException', 500: 'InternalServerException', 503: 'ServiceUnavailableException',
};

/** Bedrock's error answer: `{message}` and the exception name in `x-amzn-errortype`. */
export function bedrockError(status: number, message: string, type = ERROR_TYPES[status] ?? 'InternalServerException'): { headers: Record<string, string>; body: string } {
  return { headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` }, body: JSON.stringify({ message }) };
}

/**
 * Checks the SigV4 `Authorization` header of a request as it arrived. Returns null when it
 * is good, or the reason (the mock answers 403 with it).
 */
export function checkSigV4(req: IncomingMessage, rawBody: string, creds: BedrockCredentials): string | null {
  const auth = req.headers['authorization'];
  if (typeof auth !== 'string' || !auth.startsWith('AWS4-HMAC-SHA256 ')) return 'Missing Authentication Token';
  const fields = new Map<string, string>();
  for (const part of auth.slice('AWS4-HMAC-SHA256 '.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const [keyId, date, region, service, terminator] = (fields.get('Credential') ?? '').split('/');
  if (keyId !== creds.accessKeyId) return 'The security token included in the request is invalid.';
  const stamp = req.headers['x-amz-date'];
  if (typeof stamp !== 'string' || !/^\d{8}T\d{6}Z$/.test(stamp)) return 'Missing or malformed x-amz-date';
  if (date !== stamp.slice(0, 8) || service !== 'bedrock' || terminator !== 'aws4_request' || region === undefined || region === '') {
    return `Credential should be scoped correctly: ${fields.get('Credential') ?? ''}`;
  }
  const signed = (fields.get('SignedHeaders') ?? '').split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date')) return 'SignedHeaders must include host and x-amz-date';
  if (creds.secretAccessKey === undefined) return null;
  const headers: Record<string, string> = {};
  for (const name of signed) {
    if (name === 'host' || name === 'x-amz-date') continue;
    const v = req.headers[name];
    if (typeof v !== 'string') return `signed header ${name} is missing`;
    headers[name] = v;
  }
  const now = new Date(`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`);
  const expected = signV4(
    { method: req.method ?? 'POST', url: `http://${req.headers.host ?? ''}${req.url ?? '/'}`, headers, body: rawBody, region, service: 'bedrock', now },
    { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
  );
  if (expected.signature !== fields.get('Signature')) {
    return 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.';
  }
  return null;
}
