/**
 * What consistent hashing hashes: Kong's `hash_on` / `hash_fallback` sources read from a
 * BalanceInput, and the 32-bit hash itself. No allocation on the common paths (consumer,
 * ip, path, a single header): values are hashed where they lie.
 */
import type { HashOnKind } from '../../compile/types.js';
import type { BalanceInput } from './types.js';

export const HashSource = { NONE: 0, CONSUMER: 1, IP: 2, HEADER: 3, COOKIE: 4, PATH: 5, QUERY_ARG: 6, URI_CAPTURE: 7 } as const;
export type HashSource = (typeof HashSource)[keyof typeof HashSource];

const BY_KIND: Record<HashOnKind, HashSource> = {
  none: HashSource.NONE,
  consumer: HashSource.CONSUMER,
  ip: HashSource.IP,
  header: HashSource.HEADER,
  cookie: HashSource.COOKIE,
  path: HashSource.PATH,
  query_arg: HashSource.QUERY_ARG,
  uri_capture: HashSource.URI_CAPTURE,
};

export function hashSource(kind: HashOnKind): HashSource {
  return BY_KIND[kind];
}

/** FNV-1a over UTF-16 code units, then murmur3's finaliser so nearby keys spread out. */
export function hashString(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** All values of header `name` (lower case), concatenated as Kong does; undefined if absent. */
function headerValue(headers: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] !== name) continue;
    const v = headers[i + 1] ?? '';
    found = found === undefined ? v : found + v;
  }
  return found;
}

/** The value of cookie `name` in the Cookie header(s), or undefined. */
export function cookieValue(headers: readonly string[], name: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] !== 'cookie') continue;
    const header = headers[i + 1] ?? '';
    let at = 0;
    while (at < header.length) {
      let end = header.indexOf(';', at);
      if (end === -1) end = header.length;
      let s = at;
      while (s < end && header.charCodeAt(s) === 32) s++;
      const eq = header.indexOf('=', s);
      if (eq !== -1 && eq < end && eq - s === name.length && header.startsWith(name, s)) {
        let value = header.slice(eq + 1, end).trim();
        if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
        return value;
      }
      at = end + 1;
    }
  }
  return undefined;
}

function decodeQueryPart(raw: string): string {
  if (raw.indexOf('%') === -1 && raw.indexOf('+') === -1) return raw;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** Value(s) of query argument `name` (decoded; several joined with ','), or undefined. */
export function queryArg(query: string, name: string): string | undefined {
  let found: string | undefined;
  let at = 0;
  while (at < query.length) {
    let end = query.indexOf('&', at);
    if (end === -1) end = query.length;
    const eq = query.indexOf('=', at);
    const keyEnd = eq !== -1 && eq < end ? eq : end;
    if (decodeQueryPart(query.slice(at, keyEnd)) === name) {
      const value = keyEnd === end ? '' : decodeQueryPart(query.slice(keyEnd + 1, end));
      found = found === undefined ? value : `${found},${value}`;
    }
    at = end + 1;
  }
  return found;
}

function captureValue(captures: RegExpExecArray | null, name: string): string | undefined {
  if (captures === null) return undefined;
  const named = captures.groups?.[name];
  if (named !== undefined) return named;
  return /^\d+$/.test(name) ? captures[Number(name)] : undefined;
}

/**
 * The string to hash for `source`, or undefined when the request does not carry it
 * (then the fallback applies). COOKIE is handled by the balancer (it may mint one).
 */
export function hashValue(source: HashSource, name: string, input: BalanceInput): string | undefined {
  switch (source) {
    case HashSource.CONSUMER:
      return input.consumer ?? undefined;
    case HashSource.IP:
      return input.clientIp === '' ? undefined : input.clientIp;
    case HashSource.HEADER:
      return headerValue(input.headers, name);
    case HashSource.COOKIE:
      return cookieValue(input.headers, name);
    case HashSource.PATH:
      return input.path;
    case HashSource.QUERY_ARG:
      return queryArg(input.query, name);
    case HashSource.URI_CAPTURE:
      return captureValue(input.captures, name);
    default:
      return undefined;
  }
}
