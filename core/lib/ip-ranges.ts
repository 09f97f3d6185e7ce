/**
 * IPv4/IPv6 addresses and CIDR ranges as integers, and a set of ranges that answers
 * "is this address in it?" without a string compare:
 *
 *   IPv4   one uint32                       10.1.2.3      -> 0x0a010203
 *   IPv6   four uint32 words, most          ::1           -> [0, 0, 0, 1]
 *          significant first
 *   range  [lo, hi] with the host bits      10.0.0.0/8    -> [0x0a000000, 0x0affffff]
 *          cleared / set by the prefix mask
 *
 * An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, how a dual-stack socket reports an IPv4
 * client) is matched as the IPv4 address, and a mapped range with a prefix of 96 or more
 * as the IPv4 range, so `10.0.0.0/8` covers a client seen as `::ffff:10.1.2.3`.
 *
 * A set keeps its ranges sorted and merged, per family, in typed arrays; a lookup parses
 * the address into a scratch array (no allocation) and binary-searches.
 */

const DOT = 0x2e;
const COLON = 0x3a;
const SLASH = 0x2f;

/** Family of a parsed address: 0 = not an address. */
export const IpFamily = { NONE: 0, V4: 4, V6: 6 } as const;
export type IpFamily = (typeof IpFamily)[keyof typeof IpFamily];

function digit(c: number): number {
  return c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** Dotted-quad IPv4 in text[start, end) as a uint32, or -1. */
function parseV4(text: string, start: number, end: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || parts === 3) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
      continue;
    }
    const d = digit(c);
    if (d < 0 || digits === 3) return -1;
    part = part * 10 + d;
    if (part > 255) return -1;
    digits++;
  }
  if (digits === 0 || parts !== 3) return -1;
  return value * 256 + part;
}

const groups = new Uint16Array(8);

/** IPv6 text[start, end) into out[0..3] (big-endian words); false when it is not one. */
function parseV6(text: string, start: number, end: number, out: Uint32Array): boolean {
  if (end - start < 2) return false;
  let i = start;
  let count = 0;
  /** Index among the groups where `::` stands, or -1. */
  let gap = -1;
  if (text.charCodeAt(i) === COLON) {
    if (text.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (count === 8) return false;
    const groupStart = i;
    let value = 0;
    while (i < end) {
      const h = hex(text.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      i++;
    }
    if (i < end && text.charCodeAt(i) === DOT) {
      // An IPv4 tail (`::ffff:10.0.0.1`): the last two groups.
      if (count > 6) return false;
      const v4 = parseV4(text, groupStart, end);
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = end;
      break;
    }
    const length = i - groupStart;
    if (length === 0 || length > 4) return false;
    groups[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (i === end) return false;
    if (text.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    }
  }
  if (gap < 0) {
    if (count !== 8) return false;
  } else {
    if (count > 7) return false;
    // Move the groups after `::` to the end and zero the hole.
    const tail = count - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k] as number;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  for (let w = 0; w < 4; w++) out[w] = (((groups[2 * w] as number) << 16) | (groups[2 * w + 1] as number)) >>> 0;
  return true;
}

/** `::ffff:0:0/96`: the IPv4-mapped block. */
function isMapped(words: Uint32Array): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}

/**
 * Parses an address (no prefix) into `out`: IPv4 in out[0], IPv6 in out[0..3]; a mapped
 * IPv6 address comes back as IPv4. Returns the family, NONE when it is not an address.
 */
export function parseIp(text: string, out: Uint32Array, start = 0, end = text.length): IpFamily {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === COLON) {
      if (!parseV6(text, start, end, out)) return IpFamily.NONE;
      if (isMapped(out)) {
        out[0] = out[3] as number;
        return IpFamily.V4;
      }
      return IpFamily.V6;
    }
    if (c === DOT) break;
  }
  const v4 = parseV4(text, start, end);
  if (v4 < 0) return IpFamily.NONE;
  out[0] = v4;
  return IpFamily.V4;
}

/**
 * An address in its canonical text (RFC 5952 for IPv6: lower-case, no leading zeros, the
 * longest run of zero groups as `::`; a mapped IPv4 as `::ffff:a.b.c.d`), as nginx prints
 * $remote_addr; uWS reports IPv6 peers fully expanded (`0000:…:0001`). Other text is
 * returned unchanged.
 */
export function formatIp(text: string): string {
  if (text.indexOf(':') < 0) return text;
  const words = new Uint32Array(4);
  if (!parseV6(text, 0, text.length, words)) return text;
  if (isMapped(words)) {
    const v4 = words[3] as number;
    return `::ffff:${v4 >>> 24}.${(v4 >>> 16) & 0xff}.${(v4 >>> 8) & 0xff}.${v4 & 0xff}`;
  }
  const g: number[] = [];
  for (let w = 0; w < 4; w++) g.push((words[w] as number) >>> 16, (words[w] as number) & 0xffff);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hexes = g.map((x) => x.toString(16));
  if (bestStart < 0) return hexes.join(':');
  return `${hexes.slice(0, bestStart).join(':')}::${hexes.slice(bestStart + bestLength).join(':')}`;
}

/** One range: IPv4 in lo[0]/hi[0], IPv6 in lo[0..3]/hi[0..3]. */
export interface IpRange {
  family: 4 | 6;
  lo: number[];
  hi: number[];
}

function mask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** An address or `address/prefix` (IPv4 /0-32, IPv6 /0-128) as a range, or null when it is neither. */
export function parseCidr(text: string): IpRange | null {
  const slash = text.indexOf('/');
  const end = slash < 0 ? text.length : slash;
  const words = new Uint32Array(4);
  // Parse without the mapped-to-IPv4 folding first: the prefix is relative to the written form.
  let family: IpFamily;
  let v6 = false;
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === COLON) v6 = true;
  if (v6) family = parseV6(text, 0, end, words) ? IpFamily.V6 : IpFamily.NONE;
  else {
    const v4 = parseV4(text, 0, end);
    family = v4 < 0 ? IpFamily.NONE : IpFamily.V4;
    words[0] = v4 < 0 ? 0 : v4;
  }
  if (family === IpFamily.NONE) return null;
  const max = family === IpFamily.V4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    if (slash === text.length - 1 || text.length - slash - 1 > 3) return null;
    prefix = 0;
    for (let i = slash + 1; i < text.length; i++) {
      const d = digit(text.charCodeAt(i));
      if (d < 0) return null;
      prefix = prefix * 10 + d;
    }
    if (prefix > max) return null;
  }
  if (family === IpFamily.V6 && isMapped(words) && prefix >= 96) {
    family = IpFamily.V4;
    words[0] = words[3] as number;
    prefix -= 96;
  }
  if (family === IpFamily.V4) {
    const m = mask(prefix);
    const lo = ((words[0] as number) & m) >>> 0;
    return { family: 4, lo: [lo], hi: [(lo | ~m) >>> 0] };
  }
  const lo: number[] = [];
  const hi: number[] = [];
  for (let w = 0; w < 4; w++) {
    const m = mask(prefix - 32 * w);
    const l = ((words[w] as number) & m) >>> 0;
    lo.push(l);
    hi.push((l | ~m) >>> 0);
  }
  return { family: 6, lo, hi };
}

/** Compares a[ai..ai+3] with b[bi..bi+3] as 128-bit numbers. */
function compare6(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  for (let w = 0; w < 4; w++) {
    const x = a[ai + w] as number;
    const y = b[bi + w] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const scratch = new Uint32Array(4);

/** Outcome of IpRangeSet.lookup. */
export const IpMatch = { OUT: 0, IN: 1, NOT_AN_ADDRESS: 2 } as const;
export type IpMatch = (typeof IpMatch)[keyof typeof IpMatch];

/**
 * A set of ranges, built once. Per family: sorted, overlapping ranges merged, so one
 * binary search answers a lookup.
 *
 *   v4   Float64Array [lo0, hi0, lo1, hi1, ...]        (uint32 values)
 *   v6   Uint32Array  [lo0 w0..w3, hi0 w0..w3, ...]   (8 words per range)
 */
export class IpRangeSet {
  readonly #v4: Float64Array;
  readonly #v6: Uint32Array;
  readonly size: number;

  constructor(ranges: readonly IpRange[]) {
    const v4 = ranges.filter((r) => r.family === 4).sort((a, b) => (a.lo[0] as number) - (b.lo[0] as number));
    const merged4: number[] = [];
    for (const r of v4) {
      const n = merged4.length;
      if (n > 0 && (r.lo[0] as number) <= (merged4[n - 1] as number) + 1) merged4[n - 1] = Math.max(merged4[n - 1] as number, r.hi[0] as number);
      else merged4.push(r.lo[0] as number, r.hi[0] as number);
    }
    this.#v4 = Float64Array.from(merged4);
    const v6 = ranges.filter((r) => r.family === 6).sort((a, b) => compare6(a.lo, 0, b.lo, 0));
    const merged6: number[] = [];
    for (const r of v6) {
      const n = merged6.length;
      if (n > 0 && compare6(r.lo, 0, merged6, n - 4) <= 0) {
        if (compare6(r.hi, 0, merged6, n - 4) > 0) merged6.splice(n - 4, 4, ...r.hi);
      } else merged6.push(...r.lo, ...r.hi);
    }
    this.#v6 = Uint32Array.from(merged6);
    this.size = merged4.length / 2 + merged6.length / 8;
  }

  /** Builds a set from address/CIDR strings, throwing on one that is neither (validate first). */
  static from(entries: readonly string[]): IpRangeSet {
    return new IpRangeSet(
      entries.map((e) => {
        const r = parseCidr(e);
        if (r === null) throw new Error(`invalid ip or cidr range: '${e}'`);
        return r;
      }),
    );
  }

  /** Whether the address in `text` (no prefix) is in the set. */
  lookup(text: string): IpMatch {
    const family = parseIp(text, scratch);
    if (family === IpFamily.NONE) return IpMatch.NOT_AN_ADDRESS;
    return this.has(family, scratch) ? IpMatch.IN : IpMatch.OUT;
  }

  /** Whether an address parseIp already parsed (to check it against several sets) is in the set. */
  has(family: IpFamily, words: Uint32Array): boolean {
    if (family === IpFamily.V4) return this.#has4(words[0] as number);
    return family === IpFamily.V6 && this.#has6(words);
  }

  #has4(x: number): boolean {
    const r = this.#v4;
    // Last range whose lo <= x.
    let lo = 0;
    let hi = r.length / 2 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((r[2 * mid] as number) <= x) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && x <= (r[2 * found + 1] as number);
  }

  #has6(x: Uint32Array): boolean {
    const r = this.#v6;
    let lo = 0;
    let hi = r.length / 8 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare6(r, 8 * mid, x, 0) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && compare6(x, 0, r, 8 * found + 4) <= 0;
  }
}
