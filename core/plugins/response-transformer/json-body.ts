/**
 * response-transformer's JSON body step (Kong's body_transformer.lua): the top level of a
 * JSON object body edited in Kong's order, then encoded again. Which responses qualify is
 * Kong's is_json_body: a Content-Type (any of a comma-separated list) of application/json
 * or application/<anything>+json.
 */
import { appendValue, luaTruthy } from '../transform-pairs.js';
import type { CompiledSection, JsonValue } from './definition.js';

export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  for (const item of value.split(',')) {
    const semi = item.indexOf(';');
    const type = (semi < 0 ? item : item.slice(0, semi)).trim().toLowerCase();
    if (type === 'application/json') return true;
    // application/*+json: a subtype with something before its `+json` suffix.
    if (type.startsWith('application/') && type.endsWith('+json') && type.length > 'application/+json'.length) return true;
  }
  return false;
}

function own(json: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(json, name) ? json[name] : undefined;
}

/** The transformed body, or null when it is not a JSON object (Kong logs and sends it as it came). */
export function transformJsonBody(body: Buffer, ops: CompiledSection<JsonValue>): Buffer | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const json = parsed as Record<string, unknown>;
  for (const name of ops.remove) delete json[name];
  for (const { name, value } of ops.rename) {
    if (!Object.hasOwn(json, name)) continue;
    json[value] = json[name];
    delete json[name];
  }
  for (const { name, value } of ops.replace) if (luaTruthy(own(json, name))) json[name] = value;
  for (const { name, value } of ops.add) if (!luaTruthy(own(json, name))) json[name] = value;
  for (const { name, value } of ops.append) json[name] = appendValue(own(json, name), value);
  return Buffer.from(JSON.stringify(json));
}
