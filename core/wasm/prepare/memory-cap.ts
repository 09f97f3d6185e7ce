/**
 * Write a memory maximum into a wasm binary: the module's defined memory (section 5) or its
 * imported memory (section 2) gets `maximum = min(declared maximum, cap)`, so growth past
 * the cap fails inside the guest (memory.grow returns -1) instead of taking host memory.
 * A module whose initial size already exceeds the cap, or that uses memory64, is refused.
 *
 * Only the limits bytes are rewritten; every other byte is copied, and the enclosing
 * section's size is re-encoded.
 */

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const LIMITS_HAS_MAX = 0x01;
const LIMITS_MEMORY64 = 0x04;

function readU32(bytes: Uint8Array, at: number): [value: number, next: number] {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    const b = bytes[at++];
    if (b === undefined) throw new Error('truncated LEB128');
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result >>> 0, at];
    shift += 7;
  }
  throw new Error('LEB128 too long');
}

function writeU32(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

function skipName(bytes: Uint8Array, at: number): number {
  const [len, next] = readU32(bytes, at);
  return next + len;
}

/** Rewrite one limits record at `at` into `out`; returns the offset after the original record. */
function capLimits(bytes: Uint8Array, at: number, capPages: number, out: number[]): number {
  const flags = bytes[at];
  if (flags === undefined) throw new Error('truncated memory limits');
  if ((flags & LIMITS_MEMORY64) !== 0) throw new Error('memory64 modules are not supported');
  if (flags > 0x03) throw new Error(`unsupported memory limits flags 0x${flags.toString(16)}`);
  let [min, next] = readU32(bytes, at + 1);
  let max = capPages;
  if ((flags & LIMITS_HAS_MAX) !== 0) {
    const [declared, after] = readU32(bytes, next);
    next = after;
    max = Math.min(declared, capPages);
  }
  if (min > capPages) {
    throw new Error(`module needs ${min} initial memory pages, over the cap of ${capPages}`);
  }
  if (max < min) max = min;
  out.push(flags | LIMITS_HAS_MAX, ...writeU32(min), ...writeU32(max));
  return next;
}

function rewriteImportSection(body: Uint8Array, capPages: number): number[] {
  const out: number[] = [];
  let [count, at] = readU32(body, 0);
  out.push(...writeU32(count));
  while (count-- > 0) {
    const start = at;
    at = skipName(body, at);
    at = skipName(body, at);
    const kind = body[at++];
    for (let i = start; i < at; i++) out.push(body[i] as number);
    const entryStart = at;
    switch (kind) {
      case 0x00: // func: type index
        at = readU32(body, at)[1];
        break;
      case 0x01: { // table: reftype + limits
        at += 1;
        const flags = body[at++] ?? 0;
        at = readU32(body, at)[1];
        if ((flags & LIMITS_HAS_MAX) !== 0) at = readU32(body, at)[1];
        break;
      }
      case 0x02:
        at = capLimits(body, at, capPages, out);
        continue;
      case 0x03: // global: valtype + mutability
        at += 2;
        break;
      case 0x04: // tag: attribute + type index
        at = readU32(body, at + 1)[1];
        break;
      default:
        throw new Error(`unknown import kind ${String(kind)}`);
    }
    for (let i = entryStart; i < at; i++) out.push(body[i] as number);
  }
  for (let i = at; i < body.length; i++) out.push(body[i] as number);
  return out;
}

function rewriteMemorySection(body: Uint8Array, capPages: number): number[] {
  const out: number[] = [];
  let [count, at] = readU32(body, 0);
  out.push(...writeU32(count));
  while (count-- > 0) at = capLimits(body, at, capPages, out);
  for (let i = at; i < body.length; i++) out.push(body[i] as number);
  return out;
}

/** Return a copy of `wasm` whose memory maximum is at most `capPages`. */
export function capMemory(wasm: Uint8Array, capPages: number): Uint8Array {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new Error('not a wasm binary');
  }
  const chunks: Uint8Array[] = [wasm.subarray(0, 8)];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at] as number;
    const [size, bodyAt] = readU32(wasm, at + 1);
    const end = bodyAt + size;
    if (end > wasm.length) throw new Error('truncated section');
    if (id === SECTION_IMPORT || id === SECTION_MEMORY) {
      const body = wasm.subarray(bodyAt, end);
      const rewritten = id === SECTION_IMPORT ? rewriteImportSection(body, capPages) : rewriteMemorySection(body, capPages);
      chunks.push(Uint8Array.from([id, ...writeU32(rewritten.length)]), Uint8Array.from(rewritten));
    } else {
      chunks.push(wasm.subarray(at, end));
    }
    at = end;
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
