/**
 * Query-string arguments as OpenResty decodes them (ngx.req.get_uri_args, behind Kong's
 * kong.request.get_query): `+` is a space, %XX is decoded (a bad escape is kept as is),
 * an argument without `=` is the boolean true, and a name given twice has every value.
 */

export function decodeQueryPart(part: string): string {
  const spaced = part.indexOf('+') === -1 ? part : part.replace(/\+/g, ' ');
  if (spaced.indexOf('%') === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Receives each value of one argument, in order (true: the argument had no `=`). */
export interface QueryArgSink {
  add(value: string | true): void;
}

/** Hands every value of argument `name` in a raw query string (no `?`) to `sink`. */
export function queryArgValues(query: string, name: string, sink: QueryArgSink): void {
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (end > start) {
      const eq = query.indexOf('=', start);
      const keyEnd = eq === -1 || eq > end ? end : eq;
      if (decodeQueryPart(query.slice(start, keyEnd)) === name) sink.add(keyEnd === end ? true : decodeQueryPart(query.slice(keyEnd + 1, end)));
    }
    start = end + 1;
  }
}
