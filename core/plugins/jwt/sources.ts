/**
 * Where the jwt plugin looks for a token, in Kong's order: the query arguments of
 * uri_param_names, the cookies of cookie_names, then `Bearer <token>` in header_names.
 * Equal tokens found twice count once; two different ones are "Multiple tokens provided";
 * an argument without a value (`?jwt`) is Kong's "Unrecognizable token".
 */
import type { PluginRequest } from '../contract.js';
import { queryArgValues, type QueryArgSink } from '../query-args.js';
import type { CompiledJwt } from './definition.js';

/** Kong matches `\s*[Bb]earer\s+(.+)` anywhere in the value; the leading \s* changes nothing unanchored. */
const BEARER = /[Bb]earer\s+(.+)/;

export const TokenCount = { NONE: 0, ONE: 1, MANY: 2 } as const;

/** What one request carries: the token (true: a value-less argument) and how many distinct ones. */
export class FoundTokens implements QueryArgSink {
  first: string | true | null = null;
  count: number = TokenCount.NONE;

  reset(): void {
    this.first = null;
    this.count = TokenCount.NONE;
  }

  add(token: string | true): void {
    if (token === '') return;
    if (this.first === null) {
      this.first = token;
      this.count = TokenCount.ONE;
    } else if (token !== this.first) {
      this.count = TokenCount.MANY;
    }
  }
}

/** The value of cookie `name` (case-insensitive, as nginx's $cookie_<name>) across Cookie headers. */
export function cookieValue(headers: readonly string[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] !== 'cookie') continue;
    const value = headers[i + 1] as string;
    let start = 0;
    while (start < value.length) {
      while (value.charCodeAt(start) === 32) start++;
      let end = value.indexOf(';', start);
      if (end === -1) end = value.length;
      const eq = value.indexOf('=', start);
      if (eq !== -1 && eq < end && value.slice(start, eq).toLowerCase() === lower) return value.slice(eq + 1, end);
      start = end + 1;
    }
  }
  return undefined;
}

/** Collects the tokens of one request into `found` (reset first). */
export function findTokens(c: CompiledJwt, req: PluginRequest, found: FoundTokens): void {
  found.reset();
  const query = req.query;
  if (query.length > 0) for (const name of c.uriParamNames) queryArgValues(query, name, found);
  for (const name of c.cookieNames) {
    const v = cookieValue(req.headers, name);
    if (v !== undefined) found.add(v);
  }
  for (const name of c.headerNames) {
    const v = req.header(name);
    if (v === undefined) continue;
    const m = BEARER.exec(v);
    if (m !== null) found.add(m[1] as string);
  }
}
