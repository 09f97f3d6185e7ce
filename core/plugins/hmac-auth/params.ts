/**
 * The signature header of hmac-auth:
 *
 *   hmac username="alice", algorithm="hmac-sha256", headers="date request-line", signature="<base64>"
 *
 * Kong matches it with `\s*[Hh]mac\s*username="(.+)",\s*algorithm="(.+)",\s*headers="(.+)",\s*signature="(.+)"`
 * (greedy groups, unanchored). Four nested greedy groups backtrack polynomially on a
 * hostile header, so this reads the same captures right to left instead, in linear time:
 * the signature ends at the last quote, each marker is the last one that still leaves the
 * groups after it non-empty — which is what greedy matching picks.
 */

export interface HmacParams {
  readonly username: string;
  readonly algorithm: string;
  /** Header names as listed (split on single spaces, as Kong's utils.split). */
  readonly headers: readonly string[];
  readonly signature: string;
}

const START = /[Hh]mac\s*username="/;
const ALGORITHM = /",\s*algorithm="/g;
const HEADERS = /",\s*headers="/g;
const SIGNATURE = /",\s*signature="/g;

interface Marker {
  start: number;
  end: number;
}

/** The last match of `re` that starts at `from` or later and ends at `limit` or before. */
function lastMarker(re: RegExp, text: string, from: number, limit: number): Marker | null {
  let last: Marker | null = null;
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const end = m.index + m[0].length;
    if (end > limit) break;
    last = { start: m.index, end };
    re.lastIndex = m.index + 1;
  }
  return last;
}

export function parseHmacParams(value: string): HmacParams | null {
  const start = START.exec(value);
  if (start === null) return null;
  const from = start.index + start[0].length;
  const quote = value.lastIndexOf('"');
  // Each group holds at least one character: a marker ends before the next group's last char.
  const signature = lastMarker(SIGNATURE, value, from, quote - 1);
  if (signature === null) return null;
  const headers = lastMarker(HEADERS, value, from, signature.start - 1);
  if (headers === null) return null;
  const algorithm = lastMarker(ALGORITHM, value, from + 1, headers.start - 1);
  if (algorithm === null) return null;
  return {
    username: value.slice(from, algorithm.start),
    algorithm: value.slice(algorithm.end, headers.start),
    headers: value.slice(headers.end, signature.start).split(' '),
    signature: value.slice(signature.end, quote),
  };
}
