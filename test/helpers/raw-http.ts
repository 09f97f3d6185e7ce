/**
 * Raw-socket HTTP for tests that must see (or send) exact bytes: garbage requests,
 * hop-by-hop response headers that a client library would hide, responses that must
 * carry no body. Everything stays on 127.0.0.1 and every wait is bounded.
 */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names lower-cased, in arrival order (repeated names kept). */
  headers: [string, string][];
  /** Bytes after the header block that arrived before the socket closed / we stopped. */
  rest: Buffer;
  /** The whole raw text received. */
  raw: Buffer;
  /** The server closed the connection. */
  closed: boolean;
}

export function headerValues(res: RawResponse, name: string): string[] {
  return res.headers.filter(([n]) => n === name).map(([, v]) => v);
}

/** Parses the first response head in `raw`; null when the head is not complete yet. */
export function parseHead(raw: Buffer): { status: number; headers: [string, string][]; headEnd: number } | null {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = lines.shift() ?? '';
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (m === null) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { status: Number(m[1]), headers, headEnd: end + 4 };
}

export interface RawOptions {
  /** Stop waiting this long after the last byte arrived (default 300 ms) once a head was seen. */
  idleMs?: number;
  /** Give up (reject) after this long overall (default 5000 ms). */
  timeoutMs?: number;
}

/**
 * Sends `payload` on a fresh connection and collects bytes until the server closes, or
 * (after a complete head) until no byte arrived for `idleMs`. Rejects on timeout.
 */
export function rawExchange(port: number, payload: string | Buffer, options: RawOptions = {}): Promise<RawResponse> {
  const idleMs = options.idleMs ?? 300;
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let idle: NodeJS.Timeout | null = null;
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(overall);
      if (idle !== null) clearTimeout(idle);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const head = parseHead(raw);
      if (head === null) {
        resolve({ status: 0, headers: [], rest: Buffer.alloc(0), raw, closed });
        return;
      }
      resolve({ status: head.status, headers: head.headers, rest: raw.subarray(head.headEnd), raw, closed });
    };
    const overall = setTimeout(() => {
      if (done) return;
      done = true;
      socket.destroy();
      reject(new Error(`raw exchange timed out; got: ${Buffer.concat(chunks).toString('latin1').slice(0, 500)}`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (parseHead(Buffer.concat(chunks)) === null) return;
      if (idle !== null) clearTimeout(idle);
      idle = setTimeout(() => finish(false), idleMs);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

export interface RawReply {
  status: number;
  headers: [string, string][];
  /** The body as framed (chunked decoded); what arrived when the connection closed early. */
  body: Buffer;
  /** The response ended by its framing (Content-Length reached, last chunk, or a body-less status). */
  complete: boolean;
  /** The server closed the connection (before or right at the end of this response). */
  closed: boolean;
}

/**
 * One client connection kept across requests: `send` writes raw request bytes and reads
 * exactly one response by its framing (or until the connection closes). Every wait is
 * bounded; leftover bytes stay for the next response.
 */
export class RawConnection {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #closed = false;
  #wake: (() => void) | null = null;
  readonly #ready: Promise<void>;

  constructor(port: number) {
    this.#socket = connect(port, '127.0.0.1');
    this.#ready = new Promise((resolve, reject) => {
      this.#socket.once('connect', () => resolve());
      this.#socket.once('error', reject);
    });
    this.#socket.on('data', (d: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, d]);
      this.#wake?.();
    });
    const onClose = (): void => {
      this.#closed = true;
      this.#wake?.();
    };
    this.#socket.on('end', onClose);
    this.#socket.on('close', onClose);
    this.#socket.on('error', onClose);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async send(payload: string | Buffer, options: { head?: boolean; timeoutMs?: number } = {}): Promise<RawReply> {
    await this.#ready;
    this.#socket.write(payload);
    const deadline = Date.now() + (options.timeoutMs ?? 8000);
    for (;;) {
      const reply = this.#parse(options.head === true);
      if (reply !== null) return reply;
      if (this.#closed) return this.#partial();
      if (Date.now() > deadline) throw new Error(`no complete response in time; got ${JSON.stringify(this.#buffer.toString('latin1').slice(0, 300))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  close(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  /** A complete response from the buffer (consumed), or null. */
  #parse(headRequest: boolean): RawReply | null {
    const head = parseHead(this.#buffer);
    if (head === null) return null;
    const rest = this.#buffer.subarray(head.headEnd);
    const values = (name: string): string | undefined => head.headers.find(([n]) => n === name)?.[1];
    const done = (body: Buffer, used: number): RawReply => {
      this.#buffer = this.#buffer.subarray(head.headEnd + used);
      return { status: head.status, headers: head.headers, body, complete: true, closed: this.#closed };
    };
    if (headRequest || head.status === 204 || head.status === 304 || head.status < 200) return done(Buffer.alloc(0), 0);
    const length = values('content-length');
    if (length !== undefined) return rest.length >= Number(length) ? done(Buffer.from(rest.subarray(0, Number(length))), Number(length)) : null;
    if ((values('transfer-encoding') ?? '').toLowerCase() === 'chunked') {
      const decoded = dechunk(rest);
      return decoded.complete ? done(decoded.body, decoded.used) : null;
    }
    return null;
  }

  /** The connection closed before the response was complete: what arrived. */
  #partial(): RawReply {
    const head = parseHead(this.#buffer);
    if (head === null) return { status: 0, headers: [], body: Buffer.from(this.#buffer), complete: false, closed: true };
    const rest = this.#buffer.subarray(head.headEnd);
    const chunked = head.headers.some(([n, v]) => n === 'transfer-encoding' && v.toLowerCase() === 'chunked');
    const body = chunked ? dechunk(rest).body : Buffer.from(rest);
    // No framing at all: a close-delimited body is complete at the close.
    const framed = chunked || head.headers.some(([n]) => n === 'content-length');
    return { status: head.status, headers: head.headers, body, complete: !framed, closed: true };
  }
}

/** Decodes chunked framing as far as it goes. */
function dechunk(raw: Buffer): { body: Buffer; complete: boolean; used: number } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = parseInt(raw.toString('latin1', at, lineEnd).split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) break;
    if (size === 0) {
      const end = raw.indexOf('\r\n\r\n', lineEnd);
      if (end === -1 && raw.subarray(lineEnd, lineEnd + 4).toString() !== '\r\n\r\n') break;
      const used = end === -1 ? lineEnd + 4 : end + 4;
      return { body: Buffer.concat(parts), complete: true, used };
    }
    const dataEnd = lineEnd + 2 + size;
    parts.push(raw.subarray(lineEnd + 2, Math.min(dataEnd, raw.length)));
    if (raw.length < dataEnd + 2) break;
    at = dataEnd + 2;
  }
  return { body: Buffer.concat(parts), complete: false, used: 0 };
}
