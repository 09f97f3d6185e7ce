/**
 * Header tables built once: what a proxy must never forward (hop-by-hop, RFC 9110 §7.6.1)
 * and what it replaces with its own values. Names are lower-case (uWS lower-cases request
 * header names; upstream names are lower-cased once when read).
 */

/** What the request path does with an incoming header when forwarding it upstream. */
export const RequestHeaderAction = {
  /** Copy as is. */
  FORWARD: 0,
  /** Hop-by-hop or replaced by the gateway: drop it. */
  DROP: 1,
  /** Append our hop to it (X-Forwarded-For, Via). */
  APPEND: 2,
} as const;

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
];

/** Request headers the gateway sets itself (so the client's copies are dropped). */
const REPLACED_ON_REQUEST = [
  'host',
  'content-length',
  'expect',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-path',
  'x-forwarded-prefix',
  'x-real-ip',
  'x-gatehouse-request-id',
];

const requestActions = new Map<string, number>();
for (const name of HOP_BY_HOP) requestActions.set(name, RequestHeaderAction.DROP);
for (const name of REPLACED_ON_REQUEST) requestActions.set(name, RequestHeaderAction.DROP);
requestActions.set('x-forwarded-for', RequestHeaderAction.APPEND);
requestActions.set('via', RequestHeaderAction.APPEND);

export function requestHeaderAction(lowerName: string): number {
  return requestActions.get(lowerName) ?? RequestHeaderAction.FORWARD;
}

/**
 * Response headers never copied to the client: hop-by-hop ones, and those uWS writes
 * itself (content-length from tryEnd/end, date from its own clock).
 */
const responseDrop = new Set<string>([...HOP_BY_HOP, 'content-length', 'date']);

export function isDroppedResponseHeader(lowerName: string): boolean {
  return responseDrop.has(lowerName);
}

/** Header names listed in a Connection header value (also hop-by-hop for this message). */
export function connectionTokens(value: string): string[] {
  const tokens: string[] = [];
  for (const part of value.split(',')) {
    const token = part.trim().toLowerCase();
    if (token.length > 0 && token !== 'close' && token !== 'keep-alive') tokens.push(token);
  }
  return tokens;
}

/** The `Via` token this gateway adds, on requests and responses. */
export const VIA_TOKEN = '1.1 gatehouse';
