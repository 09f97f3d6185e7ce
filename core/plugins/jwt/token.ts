/**
 * A JWT taken apart as Kong's jwt_parser.lua does it, with its error wording:
 *
 *   token ──split on the first two dots──► header64 . claims64 . signature64 (the rest)
 *     fewer than three parts, base64url or JSON that does not decode,
 *     a header or claims that are not JSON objects        ──► "invalid JSON"
 *     `alg` not a string naming a supported algorithm       ──► "invalid alg"
 *     a signature that is not base64url                     ──► "invalid signature"
 *
 * (Kong answers these as "Bad token; <error>".) The signing input is the token up to the
 * second dot, so nothing is re-encoded to verify.
 */
import { decodeBase64Strict } from '../../lib/base64.js';

export const JWS_ALGORITHMS: ReadonlySet<string> = new Set([
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA',
]);

export interface Token {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly alg: string;
  /** `header64.claims64`: what the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

function json(part: string): Record<string, unknown> | null {
  const bytes = decodeBase64Strict(part, true);
  if (bytes === null) return null;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The parsed token, or Kong's error text. */
export function parseToken(token: string): Token | string {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0) return 'invalid JSON';
  const header = json(token.slice(0, first));
  const claims = json(token.slice(first + 1, second));
  if (header === null || claims === null) return 'invalid JSON';
  const alg = Object.hasOwn(header, 'alg') ? header['alg'] : undefined;
  if (typeof alg !== 'string' || !JWS_ALGORITHMS.has(alg)) return 'invalid alg';
  const signature = decodeBase64Strict(token.slice(second + 1), true);
  if (signature === null) return 'invalid signature';
  return { header, claims, alg, signingInput: token.slice(0, second), signature };
}

/** An own property of a decoded JSON object (never one of Object.prototype's). */
export function field(o: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(o, name) ? o[name] : undefined;
}
