/**
 * Builds the header list sent upstream: the client's headers minus hop-by-hop ones (and
 * any the client's Connection header names), then the gateway's own: Host, Via,
 * X-Forwarded-For/Proto/Host/Port/Path(/Prefix), X-Real-IP and the request id.
 * Output is undici's flat `[name, value, …]` form, built in one pass.
 */
import { RequestHeaderAction, VIA_TOKEN, connectionTokens, requestHeaderAction } from '../lib/headers.js';

export const REQUEST_ID_HEADER = 'x-gatehouse-request-id';

export interface ForwardedInfo {
  /** Host header to send (the target's, or the client's when preserve_host). */
  host: string;
  clientIp: string;
  /** `http` or `https`: the scheme the client used. */
  proto: string;
  /** The client's Host without port. */
  forwardedHost: string;
  forwardedPort: number;
  /** The original request path (no query). */
  forwardedPath: string;
  /** The stripped prefix when strip_path removed one, else ''. */
  forwardedPrefix: string;
  requestId: string;
  /** Content-Length to send for a streamed body of known length, else -1. */
  contentLength: number;
}

export function buildUpstreamHeaders(clientHeaders: readonly string[], connection: string, info: ForwardedInfo): string[] {
  const out: string[] = [];
  const extraHopByHop = connection === '' ? null : connectionTokens(connection);
  let xff = '';
  let via = '';
  for (let i = 0; i < clientHeaders.length; i += 2) {
    const name = clientHeaders[i] as string;
    const value = clientHeaders[i + 1] as string;
    const action = requestHeaderAction(name);
    if (action === RequestHeaderAction.DROP) continue;
    if (action === RequestHeaderAction.APPEND) {
      if (name === 'x-forwarded-for') xff = xff === '' ? value : `${xff}, ${value}`;
      else via = via === '' ? value : `${via}, ${value}`;
      continue;
    }
    if (extraHopByHop !== null && extraHopByHop.includes(name)) continue;
    out.push(name, value);
  }
  out.push(
    'host', info.host,
    'x-forwarded-for', xff === '' ? info.clientIp : `${xff}, ${info.clientIp}`,
    'x-forwarded-proto', info.proto,
    'x-forwarded-host', info.forwardedHost,
    'x-forwarded-port', String(info.forwardedPort),
    'x-forwarded-path', info.forwardedPath,
    'x-real-ip', info.clientIp,
    'via', via === '' ? VIA_TOKEN : `${via}, ${VIA_TOKEN}`,
    REQUEST_ID_HEADER, info.requestId,
  );
  if (info.forwardedPrefix !== '') out.push('x-forwarded-prefix', info.forwardedPrefix);
  if (info.contentLength >= 0) out.push('content-length', String(info.contentLength));
  return out;
}
