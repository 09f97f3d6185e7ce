/**
 * request-transformer's body step: which bodies Kong transforms (by Content-Type, tested
 * as Kong tests it: the lower-cased value contains application/json, multipart/form-data
 * or application/x-www-form-urlencoded, in that order) and the transformation of one.
 * A body Kong would leave alone (JSON that does not parse, a multipart body without a
 * boundary) comes back null: the original bytes go upstream.
 */
import { ArgTable, JsonStore } from './args.js';
import { boundaryOf, MultipartBody } from './multipart.js';
import type { ArgOps } from './operations.js';
import type { TemplateEnv } from './template.js';

export const BodyKind = { NONE: 0, JSON: 1, MULTIPART: 2, FORM: 3 } as const;

export function bodyKind(contentType: string | undefined): number {
  if (contentType === undefined) return BodyKind.NONE;
  const type = contentType.toLowerCase();
  if (type.includes('application/json')) return BodyKind.JSON;
  if (type.includes('multipart/form-data')) return BodyKind.MULTIPART;
  if (type.includes('application/x-www-form-urlencoded')) return BodyKind.FORM;
  return BodyKind.NONE;
}

function jsonObject(body: Buffer): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The transformed body, or null when it stays as it is. */
export function transformBody(kind: number, contentType: string, body: Buffer, ops: ArgOps, env: TemplateEnv | null): Buffer | null {
  const hasContent = body.byteLength > 0;
  if (kind === BodyKind.JSON) {
    // Kong: a body that is not a JSON object is left alone; an empty one starts as {}.
    const object = hasContent ? jsonObject(body) : {};
    if (object === null) return null;
    return ops.apply(new JsonStore(object), env, hasContent) ? Buffer.from(JSON.stringify(object)) : null;
  }
  if (kind === BodyKind.FORM) {
    const form = ArgTable.parse(body.toString('utf8'));
    return ops.apply(form, env, hasContent) ? Buffer.from(form.encode(false)) : null;
  }
  const boundary = boundaryOf(contentType);
  const parts = boundary === null ? null : MultipartBody.parse(body, boundary);
  if (parts === null) return null;
  return ops.applyMultipart(parts, env, hasContent) ? parts.toBuffer() : null;
}
