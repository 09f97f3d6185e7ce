/**
 * Query-string and form-urlencoded arguments as nginx reads and writes them (Kong's
 * kong.request.get_query / ngx.decode_args, kong.service.request.set_query /
 * ngx.encode_args): `+` is a space, `%XX` escapes are decoded as UTF-8 (a malformed one is
 * kept as written), and on the way out every byte but `A-Z a-z 0-9 - . _ ~` is escaped.
 */

/** One decoded argument name or value. */
export function decodeArg(part: string): string {
  const spaced = part.indexOf('+') === -1 ? part : part.replace(/\+/g, ' ');
  if (spaced.indexOf('%') === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

const RESERVED_BY_NGINX = /[!'()*]/g;

function hexEscape(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
}

/** ngx.escape_uri for an argument: encodeURIComponent, plus the five marks it leaves alone. */
export function escapeArg(value: string): string {
  return encodeURIComponent(value).replace(RESERVED_BY_NGINX, hexEscape);
}
