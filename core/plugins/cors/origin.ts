/**
 * Origins as Kong's cors compares them: `scheme://host[:port]` with the scheme's default
 * port dropped, and the host alone (what host-only regexes are tested against). A value
 * that does not parse as a URL is its own domain and host, as in Kong.
 */

export interface NormalizedOrigin {
  domain: string;
  host: string;
}

export function normalizeOrigin(value: string): NormalizedOrigin {
  const sep = value.indexOf('://');
  if (sep < 0) return { domain: value, host: value };
  const scheme = value.slice(0, sep).toLowerCase();
  let rest = value.slice(sep + 3);
  const slash = rest.indexOf('/');
  if (slash >= 0) rest = rest.slice(0, slash);
  let host = rest;
  let port = '';
  const bracket = rest.lastIndexOf(']');
  const colon = rest.lastIndexOf(':');
  if (colon > bracket) {
    host = rest.slice(0, colon);
    port = rest.slice(colon + 1);
  }
  if (host === '') return { domain: value, host: value };
  host = host.toLowerCase();
  if ((scheme === 'http' && port === '80') || (scheme === 'https' && port === '443')) port = '';
  return { domain: `${scheme}://${host}${port === '' ? '' : `:${port}`}`, host };
}
