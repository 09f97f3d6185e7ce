/** Worker side: decode a snapshot SAB once per version. */
import { unpack } from 'msgpackr';
import type { CompiledConfig } from '../compile/types.js';
import { CONTROL_VERSION, HEADER_BYTES, SLOT_LENGTH, SLOT_VERSION } from './layout.js';

export function snapshotVersion(sab: SharedArrayBuffer): number {
  return new Int32Array(sab, 0, 2)[SLOT_VERSION] ?? 0;
}

/**
 * Decodes a snapshot. Throws on a malformed payload; the caller keeps its old runtime
 * (a bad snapshot never replaces a good one).
 */
export function decodeSnapshot(sab: SharedArrayBuffer): CompiledConfig {
  const header = new Int32Array(sab, 0, 2);
  const length = header[SLOT_LENGTH] ?? -1;
  if (length < 0 || HEADER_BYTES + length > sab.byteLength) {
    throw new Error(`snapshot length ${length} does not fit its buffer (${sab.byteLength} bytes)`);
  }
  // msgpackr reads from a private copy: decoded strings must not alias shared memory.
  const bytes = new Uint8Array(length);
  bytes.set(new Uint8Array(sab, HEADER_BYTES, length));
  const config = unpack(bytes) as CompiledConfig;
  if (config === null || typeof config !== 'object' || config.version !== header[SLOT_VERSION]) {
    throw new Error('snapshot payload does not match its header');
  }
  return config;
}

export function publishedVersion(control: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(control), CONTROL_VERSION);
}
