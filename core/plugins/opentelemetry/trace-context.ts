/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header and
 * random ids. Ids come from a block of random bytes refilled in bulk, not one
 * crypto call per id.
 */
import { randomFillSync } from 'node:crypto';

/** version-traceid-parentid-flags, lower-case hex (version 00; later versions may append fields). */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export interface ParentContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** The parent in a `traceparent` value, or null when absent or invalid (the spec: ignore it). */
export function parseTraceparent(value: string | undefined): ParentContext | null {
  if (value === undefined) return null;
  const m = TRACEPARENT.exec(value.trim());
  if (m === null) return null;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/** `n` random bytes as hex (n <= 16). */
export function randomHex(n: number): string {
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + n);
  offset += n;
  return hex;
}

/** A random number in [0, 1) from the same block (the sampler's draw). */
export function randomUnit(): number {
  if (offset + 4 > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const v = pool.readUInt32LE(offset);
  offset += 4;
  return v / 0x1_0000_0000;
}
