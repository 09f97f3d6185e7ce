/**
 * One parsed request head, handed to the pipeline as its HttpRequest. Fixed shape: the
 * parser (head-parser.ts) sets every field before the handler runs. Header values are
 * latin1 strings, so every byte the client sent (obs-text included) reaches the upstream
 * unchanged: undici writes header strings as latin1.
 */
import type { HttpRequest } from '../http-front.js';

export class StrictRequest implements HttpRequest {
  method = '';
  /** Origin-form path without the query (an absolute-form target is reduced to it). */
  url = '';
  /** The query without `?`, or undefined when the target has none. */
  query: string | undefined = undefined;
  /** Flat `[name, value, …]`, names lower-case, values trimmed, in arrival order. */
  headers: string[] = [];
  http10 = false;
  /** The connection may serve another request after this one (HTTP/1.1 unless `close`; 1.0 with `keep-alive`). */
  keepAlive = true;
  /** `Expect: 100-continue` (HTTP/1.1): answer `100 Continue` when the body is first asked for. */
  expectContinue = false;

  getCaseSensitiveMethod(): string {
    return this.method;
  }

  getUrl(): string {
    return this.url;
  }

  getQuery(): string | undefined {
    return this.query;
  }

  getHeader(lowerCaseKey: string): string {
    const headers = this.headers;
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i] === lowerCaseKey) return headers[i + 1] as string;
    }
    return '';
  }

  forEach(cb: (key: string, value: string) => void): void {
    const headers = this.headers;
    for (let i = 0; i < headers.length; i += 2) cb(headers[i] as string, headers[i + 1] as string);
  }
}
