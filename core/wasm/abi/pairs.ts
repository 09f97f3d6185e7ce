/**
 * Header-map pairs in the proxy-wasm byte layout (little-endian u32s):
 *
 *   +-----------+--------------------------------+--------------------------------------+
 *   | num_pairs | key_len[0] val_len[0] ... [n-1] | key[0] \0 val[0] \0 ... key[n-1] \0 ... |
 *   +-----------+--------------------------------+--------------------------------------+
 *     4 bytes     8 bytes per pair                  lengths exclude the NUL terminators
 *
 * Decoding validates the layout against the caps in limits.ts and returns null on any
 * violation, which the hostcall reports as Status.BadArgument.
 */
import type { HeaderPair } from '../header-map.js';
import type { WasmLimits } from '../limits.js';

const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Encode pairs; returns null when the map exceeds the pair-count or byte caps. */
export function encodePairs(pairs: readonly HeaderPair[], limits: WasmLimits): Uint8Array | null {
  if (pairs.length > limits.maxHeaderPairs) return null;
  const encoded: Uint8Array[] = new Array(pairs.length * 2);
  let dataBytes = 0;
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i] as HeaderPair;
    const k = encoder.encode(pair[0]);
    const v = encoder.encode(pair[1]);
    encoded[2 * i] = k;
    encoded[2 * i + 1] = v;
    dataBytes += k.byteLength + v.byteLength + 2;
  }
  const total = 4 + pairs.length * 8 + dataBytes;
  if (total > limits.maxHeaderMapBytes) return null;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, pairs.length, true);
  let sizeAt = 4;
  let dataAt = 4 + pairs.length * 8;
  for (let i = 0; i < encoded.length; i++) {
    const bytes = encoded[i] as Uint8Array;
    view.setUint32(sizeAt, bytes.byteLength, true);
    sizeAt += 4;
    out.set(bytes, dataAt);
    dataAt += bytes.byteLength + 1; // the NUL is already 0
  }
  return out;
}

/** Decode a serialised map; null when malformed or over the caps. */
export function decodePairs(bytes: Uint8Array, limits: WasmLimits): HeaderPair[] | null {
  if (bytes.byteLength > limits.maxHeaderMapBytes) return null;
  if (bytes.byteLength === 0) return [];
  if (bytes.byteLength < 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  if (count > limits.maxHeaderPairs) return null;
  const headerEnd = 4 + count * 8;
  if (headerEnd > bytes.byteLength) return null;
  const out: HeaderPair[] = new Array(count);
  let dataAt = headerEnd;
  for (let i = 0; i < count; i++) {
    const klen = view.getUint32(4 + i * 8, true);
    const vlen = view.getUint32(8 + i * 8, true);
    if (klen > limits.maxHeaderValueBytes || vlen > limits.maxHeaderValueBytes) return null;
    const kEnd = dataAt + klen;
    const vEnd = kEnd + 1 + vlen;
    if (vEnd + 1 > bytes.byteLength) return null;
    if (bytes[kEnd] !== 0 || bytes[vEnd] !== 0) return null;
    out[i] = [utf8.decode(bytes.subarray(dataAt, kEnd)), utf8.decode(bytes.subarray(kEnd + 1, vEnd))];
    dataAt = vEnd + 1;
  }
  return out;
}
