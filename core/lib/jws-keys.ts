/**
 * Which public key each JWS algorithm (RFC 7518) can verify with. Checked where a JWT
 * credential enters the config, so a key that cannot verify its algorithm's signatures
 * is a config error rather than a 401 on every request (or, worse, a key of one family
 * tried under another's rules).
 */
import type { KeyObject } from 'node:crypto';

const EC_CURVES: Readonly<Record<string, { curve: string; label: string }>> = {
  ES256: { curve: 'prime256v1', label: 'P-256' },
  ES384: { curve: 'secp384r1', label: 'P-384' },
  ES512: { curve: 'secp521r1', label: 'P-521' },
};

/** Why `key` cannot verify `algorithm` signatures, or null when it can. */
export function keyProblem(algorithm: string, key: KeyObject): string | null {
  const type = key.asymmetricKeyType;
  if (key.type !== 'public') return `a public key is required for ${algorithm}`;
  if (algorithm.startsWith('RS')) return type === 'rsa' ? null : `an RSA public key is required for ${algorithm}`;
  if (algorithm.startsWith('PS')) return type === 'rsa' || type === 'rsa-pss' ? null : `an RSA public key is required for ${algorithm}`;
  if (algorithm === 'EdDSA') return type === 'ed25519' || type === 'ed448' ? null : 'an Ed25519 or Ed448 public key is required for EdDSA';
  const ec = EC_CURVES[algorithm];
  if (ec !== undefined) return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === ec.curve ? null : `a ${ec.label} EC public key is required for ${algorithm}`;
  return `${algorithm} takes a secret, not a public key`;
}
