/**
 * An upstream that records every request it receives, byte-exact, for the front corpus
 * (test/fixtures/front-cases.ts): a raw net.Server with its own strict HTTP/1.1 parser
 * (independent of the gateway's), so a request the gateway lets through by mistake — a
 * smuggled one — shows up here as a request nobody meant. Each request is answered
 * `200` with `METHOD target` as its body; anything it cannot parse is recorded as an
 * error and the connection closed.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  target: string;
  /** Names lower-case, values as latin1 strings (each char one byte). */
  headers: [string, string][];
  /** latin1 */
  body: string;
}

export interface RecordingUpstream {
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Bytes it could not parse as a request (never expected from the gateway). */
  readonly errors: string[];
  close(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** Parses one request from `buf` at `pos`: the request and where it ends, null (need more) or an error string. */
function parseOne(buf: Buffer, pos: number): { req: RecordedRequest; end: number } | null | string {
  const headEnd = buf.indexOf(HEAD_END, pos);
  if (headEnd < 0) return buf.length - pos > 1 << 20 ? 'head too large' : null;
  const lines = buf.toString('latin1', pos, headEnd).split('\r\n');
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.1$/.exec(lines[0] ?? '');
  if (m === null) return `bad request line ${JSON.stringify(lines[0])}`;
  const headers: [string, string][] = [];
  let length = -1;
  let chunked = false;
  for (const line of lines.slice(1)) {
    const hm = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/s.exec(line);
    if (hm === null || /[\r\n\0]/.test(line)) return `bad header line ${JSON.stringify(line)}`;
    const name = (hm[1] as string).toLowerCase();
    const value = hm[2] as string;
    headers.push([name, value]);
    if (name === 'content-length') {
      if (length >= 0 || !/^\d+$/.test(value)) return 'bad or repeated content-length';
      length = Number(value);
    }
    if (name === 'transfer-encoding') {
      if (value !== 'chunked' || chunked) return `bad transfer-encoding ${value}`;
      chunked = true;
    }
  }
  if (chunked && length >= 0) return 'content-length with transfer-encoding';
  let i = headEnd + 4;
  let body = '';
  if (chunked) {
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', i);
      if (lineEnd < 0) return null;
      const sizeText = buf.toString('latin1', i, lineEnd);
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) return `bad chunk size ${JSON.stringify(sizeText)}`;
      const size = parseInt(sizeText, 16);
      i = lineEnd + 2;
      if (size === 0) {
        if (buf.length < i + 2) return null;
        if (buf[i] !== 13 || buf[i + 1] !== 10) return 'trailer from the gateway';
        i += 2;
        break;
      }
      if (buf.length < i + size + 2) return null;
      body += buf.toString('latin1', i, i + size);
      if (buf[i + size] !== 13 || buf[i + size + 1] !== 10) return 'chunk not followed by CRLF';
      i += size + 2;
    }
  } else if (length > 0) {
    if (buf.length < i + length) return null;
    body = buf.toString('latin1', i, i + length);
    i += length;
  }
  return { req: { method: m[1] as string, target: m[2] as string, headers, body }, end: i };
}

export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const requests: RecordedRequest[] = [];
  const errors: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let buf: Buffer = Buffer.alloc(0);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (data: Buffer) => {
      buf = buf.length === 0 ? data : Buffer.concat([buf, data]);
      let pos = 0;
      for (;;) {
        const parsed = parseOne(buf, pos);
        if (parsed === null) break;
        if (typeof parsed === 'string') {
          errors.push(parsed);
          socket.destroy();
          return;
        }
        requests.push(parsed.req);
        pos = parsed.end;
        const body = `${parsed.req.method} ${parsed.req.target}`;
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`, 'latin1');
      }
      buf = buf.subarray(pos);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    requests,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
