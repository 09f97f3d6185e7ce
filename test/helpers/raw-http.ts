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
