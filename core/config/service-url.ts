/**
 * Kong's service `url` shorthand: `http://host:port/path` -> protocol, host, port, path.
 */
import type { Protocol } from './types.js';

export interface ServiceAddress {
  protocol: Protocol;
  host: string;
  port: number | null;
  path: string | null;
}

/** Parse a service url; returns an error message instead of throwing. */
export function parseServiceUrl(url: string): ServiceAddress | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'invalid url';
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') return `unsupported scheme "${scheme}" (use http or https)`;
  if (parsed.hostname === '') return 'url must have a host';
  if (parsed.username !== '' || parsed.password !== '') return 'url must not contain credentials';
  if (parsed.search !== '' || parsed.hash !== '') return 'url must not contain a query string or fragment';
  // URL normalises "http://h" to pathname "/"; Kong keeps no path unless one is written.
  const afterAuthority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(\/[^?#]*)?/i.exec(url);
  const written = afterAuthority?.[1];
  return {
    protocol: scheme,
    host: parsed.hostname.toLowerCase(),
    port: parsed.port === '' ? null : Number(parsed.port),
    path: written === undefined || written === '' ? null : parsed.pathname,
  };
}
