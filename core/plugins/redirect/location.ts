/**
 * The Location a redirect sends, built from the configured URL once:
 *
 *   keep_incoming_path off   the configured URL as is
 *   keep_incoming_path on    `<scheme>://<userinfo@><host:port>` + request path + `?query` + `#fragment`
 *                            (Kong: ada's set_pathname(path), set_search(query), get_href)
 *
 * The per-request join is string concatenation; a path or query holding a character the
 * WHATWG URL setters would percent-encode takes the URL object path instead, so the result
 * is always what the setters give.
 */

export interface LocationParts {
  /** Everything before the path (`https://example.com:8443`). */
  prefix: string;
  /** `#fragment` of the configured URL, or ''. */
  hash: string;
}

/** Kong's typedefs.url check (luasocket's url.parse): a scheme and an authority. Null when valid. */
export function urlProblem(url: string): string | null {
  const hash = url.indexOf('#');
  const rest = hash < 0 ? url : url.slice(0, hash);
  const scheme = /^[A-Za-z0-9][A-Za-z0-9+.-]*:/.exec(rest);
  const afterScheme = scheme === null ? rest : rest.slice(scheme[0].length);
  const authority = /^\/\/([^/?]*)/.exec(afterScheme);
  const host = authority === null ? '' : (authority[1] as string).replace(/^.*@/, '').replace(/:\d*$/, '');
  if (host === '') return 'missing host in url';
  if (scheme === null) return 'missing scheme in url';
  return null;
}

/** The parts kept from `location` when the request's path replaces its own, or null when WHATWG URL cannot parse it. */
export function locationParts(location: string): LocationParts | null {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return null;
  }
  const hash = url.hash;
  url.search = '';
  url.hash = '';
  const href = url.href;
  return { prefix: href.slice(0, href.length - url.pathname.length), hash };
}

/**
 * Whether `text` goes into a URL unchanged: printable ASCII without the characters the
 * path and query percent-encode sets name (space and controls are excluded by the range).
 */
export function plainUrlText(text: string, inPath: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
    // " # < > (both sets), ' (query of special schemes), ? ` { } \ (path).
    if (c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e) return false;
    if (inPath ? c === 0x3f || c === 0x60 || c === 0x7b || c === 0x7d || c === 0x5c : c === 0x27) return false;
  }
  return true;
}
