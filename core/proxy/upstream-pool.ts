/**
 * The one contract between the pipeline and whichever client carries a proxied request:
 * the HTTP/1.1 pool (core/proxy/http1/pool.ts) for `http` services, an undici Pool for
 * `https` ones. undici's Pool satisfies it as it is (its handler protocol is the one
 * ProxyExchange implements), so the pipeline never knows which client ran.
 */
import type { Readable } from 'node:stream';

export interface UpstreamRequest {
  path: string;
  method: string;
  /** Flat [name, value, …] (core/proxy/forwarded.ts). */
  headers: string[];
  /** null, a whole body, or the client's body streamed (core/proxy/request-body.ts). */
  body: Buffer | Readable | null;
  /** ms until the response head has arrived after the request was sent (Kong's read_timeout; 0 = none). */
  headersTimeout: number;
  /** ms allowed between two reads of the response body (Kong's read_timeout; 0 = none). */
  bodyTimeout: number;
  /** ms the upstream may leave request bytes unread (Kong's write_timeout; 0 = none). undici ignores it. */
  writeTimeout?: number;
}

/**
 * undici's dispatch-handler protocol, the part the proxy uses. Calls, in order:
 * onConnect once; then onHeaders, onData* and onComplete, or onError at any point; no call
 * after onComplete or onError. onHeaders and onData return false to pause until `resume`.
 */
export interface UpstreamHandler {
  onConnect(abort: (err?: Error) => void): void;
  /** A final response head (1xx ones are not passed on). rawHeaders stay valid after the call. */
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: Buffer[] | string[] | null): void;
  onError(err: Error): void;
}

export interface UpstreamPool {
  dispatch(request: UpstreamRequest, handler: UpstreamHandler): boolean;
  /** Lets in-flight and queued requests finish, then closes every connection. */
  close(): Promise<void>;
}
