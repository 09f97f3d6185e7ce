/**
 * proxy_http_call for one guest VM: the guest's request (pseudo-headers, upstream name)
 * checked and turned into an undici request, at most `maxHttpCalls` in flight, each with
 * a timeout and a body cap; every call still running is aborted when the VM closes. The
 * answer (or null for any failure) goes back to the VM, which hands it to the guest.
 */
import { request as undiciRequest } from 'undici';
import type { OutgoingHttpCall } from './abi/hostcalls.js';
import { HeaderMap } from './header-map.js';
import type { WasmLimits } from './limits.js';

export interface CallResponse {
  readonly headers: HeaderMap;
  readonly trailers: HeaderMap;
  readonly body: Uint8Array;
}

export const EMPTY_CALL_RESPONSE: CallResponse = { headers: new HeaderMap(), trailers: new HeaderMap(), body: new Uint8Array(0) };

interface PreparedCall {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  readonly timeoutMs: number;
}

/** A proxy_http_call upstream name as an origin: `host:port` or a URL; null when unusable. */
export function defaultResolveUpstream(name: string): string | null {
  const candidate = /^https?:\/\//.test(name) ? name : `http://${name}`;
  try {
    return new URL(candidate).origin;
  } catch {
    return null;
  }
}


export class HttpCalls {
  readonly #limits: WasmLimits;
  readonly #resolveUpstream: (name: string) => string | null;
  readonly #running = new Map<number, AbortController>();
  #nextToken = 1;

  constructor(limits: WasmLimits, resolveUpstream: (name: string) => string | null) {
    this.#limits = limits;
    this.#resolveUpstream = resolveUpstream;
  }

  get full(): boolean {
    return this.#running.size >= this.#limits.maxHttpCalls;
  }

  /** The call as undici will send it, or null when the guest's request is malformed. */
  prepare(call: OutgoingHttpCall): PreparedCall | null {
    const headers = new HeaderMap(call.headers);
    const method = headers.get(':method');
    const path = headers.get(':path');
    const authority = headers.get(':authority');
    if (method === undefined || path === undefined || authority === undefined || !path.startsWith('/')) return null;
    const origin = this.#resolveUpstream(call.upstream);
    if (origin === null) return null;
    const out: Record<string, string> = { host: authority };
    for (const [n, v] of call.headers) if (!n.startsWith(':')) out[n] = v;
    const max = this.#limits.maxHttpCallTimeoutMs;
    return { url: `${origin}${path}`, method, headers: out, body: call.body, timeoutMs: Math.min(call.timeoutMs || max, max) };
  }

  /** Starts the call; `deliver` gets its token and the answer (null: failed, timed out, too large). */
  start(call: PreparedCall, deliver: (token: number, response: CallResponse | null) => void): number {
    const token = this.#nextToken++;
    const controller = new AbortController();
    this.#running.set(token, controller);
    const timer = setTimeout(() => controller.abort(), call.timeoutMs);
    void this.#run(call, controller.signal)
      .then((response) => deliver(token, response))
      .finally(() => {
        clearTimeout(timer);
        this.#running.delete(token);
      });
    return token;
  }

  abortAll(): void {
    for (const c of this.#running.values()) c.abort();
    this.#running.clear();
  }

  async #run(call: PreparedCall, signal: AbortSignal): Promise<CallResponse | null> {
    try {
      const res = await undiciRequest(call.url, {
        method: call.method as 'GET',
        headers: call.headers,
        body: call.body.byteLength > 0 ? call.body : null,
        signal,
      });
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        const c = chunk as Uint8Array;
        size += c.byteLength;
        if (size > this.#limits.maxHttpCallBodyBytes) {
          res.body.destroy();
          return null;
        }
        chunks.push(c);
      }
      const map = new HeaderMap([[':status', String(res.statusCode)]]);
      for (const [n, v] of Object.entries(res.headers)) {
        if (v === undefined) continue;
        if (Array.isArray(v)) for (const x of v) map.add(n, x);
        else map.add(n, v);
      }
      return { headers: map, trailers: new HeaderMap(), body: Buffer.concat(chunks) };
    } catch {
      return null;
    }
  }
}
