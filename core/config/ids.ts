/**
 * Deterministic entity ids. An entity without an explicit `id` gets a uuid-shaped id
 * (version 5 layout) from sha1 of its kind and natural key, so loading the same file
 * twice — or on another node — yields the same ids, and config hashes stay stable.
 */
import { createHash } from 'node:crypto';

export function deriveId(kind: string, key: string): string {
  const hex = createHash('sha1').update('gatehouse\0').update(kind).update('\0').update(key).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Kong ids compare case-insensitively; we store them lower-case. */
export function canonicalId(id: string): string {
  return id.toLowerCase();
}
