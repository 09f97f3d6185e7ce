/**
 * Request bodies for the admin API: read with a hard byte cap (413 past it), then parsed
 * by content type. JSON is the main form; `application/x-www-form-urlencoded` is read the
 * way Kong's admin API reads it (`service.id=…`, `paths[]=/a`, repeated keys, `config.x=1`)
 * with simple scalar typing, since there is no schema at hand to coerce by.
 */
import type { IncomingMessage } from 'node:http';
import { plainError, tooLarge } from './errors.js';

export const MAX_ADMIN_BODY_BYTES = 16 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

export type BodyKind = 'json' | 'form' | 'yaml' | 'none';

export function bodyKind(contentType: string | undefined, body: Buffer): BodyKind {
  if (body.length === 0) return 'none';
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'application/x-yaml' || type === 'application/yaml' || type === 'text/yaml') return 'yaml';
  return 'json';
}

/** A JSON body; a malformed one is a 400 naming the problem. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (e) {
    throw plainError(400, `Cannot parse JSON body: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Fields whose single form value still means a list. */
const ARRAY_FIELDS = new Set(['paths', 'hosts', 'methods', 'protocols', 'tags', 'snis', 'http_statuses', 'ca_certificates']);

function scalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?(0|[1-9][0-9]{0,14})$/.test(text)) return Number(text);
  return text;
}

type Tree = Record<string, unknown>;

function assign(root: Tree, path: string[], value: unknown, append: boolean): void {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Tree;
  }
  const leaf = path[path.length - 1] as string;
  const prev = node[leaf];
  if (append || prev !== undefined || ARRAY_FIELDS.has(leaf)) {
    node[leaf] = Array.isArray(prev) ? [...(prev as unknown[]), value] : prev === undefined ? [value] : [prev, value];
  } else {
    node[leaf] = value;
  }
}

/** `a.b=1&list[]=x&list[]=y&list=z` -> `{ a: { b: 1 }, list: ['x','y','z'] }`. */
export function parseForm(body: Buffer): Tree {
  const out: Tree = {};
  for (const [rawKey, value] of new URLSearchParams(body.toString('utf8'))) {
    const m = /^(.*?)(\[[0-9]*\])?$/.exec(rawKey);
    const key = m?.[1] ?? rawKey;
    if (key === '') continue;
    assign(out, key.split('.'), scalar(value), m?.[2] !== undefined);
  }
  return out;
}

/** The body as a value: JSON, form or null when empty. YAML bodies are for POST /config only. */
export function parseEntityBody(contentType: string | undefined, body: Buffer): unknown {
  switch (bodyKind(contentType, body)) {
    case 'none':
      return null;
    case 'form':
      return parseForm(body);
    case 'yaml':
      throw plainError(415, 'YAML bodies are accepted by POST /config only');
    case 'json':
      return parseJson(body);
  }
}
