/**
 * Micro benchmark: the HTTP/1.1 upstream client's per-request CPU work without sockets —
 * parsing the upstream's response and building the request head — and, for the parser
 * choice (core/proxy/http1/response-parser.ts), Node's own llhttp binding on the same bytes.
 *
 *   parse                 our parser: the echo upstream's `GET /hello` answer (4 headers,
 *                         13-byte body), header Buffers made as the handler contract wants
 *   parse-llhttp          Node's HTTPParser (`_http_common`, what node:http's client uses),
 *                         same bytes; headers come back as JS strings
 *   parse-llhttp-buffers  the same, plus the header strings turned into Buffers, which the
 *                         handler contract (rawHeaders: Buffer[]) needs
 *   chunked               our parser: an SSE-like answer, 10 chunks of 13 bytes
 *   chunked-llhttp        Node's HTTPParser, same bytes
 *   head                  buildRequestHead: the head the pipeline sends for `GET /hello`
 *                         (12 headers), every name and value checked, encoded to latin1
 *                         bytes as the socket write does
 *
 * Plain Node script (no vitest); the command line is cases.ts's.
 *
 *   npm run build && node dist/bench/micro/http1.bench.js [CASE] [--iterations N]
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildRequestHead } from '../../core/proxy/http1/request-head.js';
import { ResponseParser, type ResponseSink } from '../../core/proxy/http1/response-parser.js';
import { microMain } from './cases.js';

const CASES = ['parse', 'parse-llhttp', 'parse-llhttp-buffers', 'chunked', 'chunked-llhttp', 'head'] as const;
type Case = (typeof CASES)[number];

/** What bench/upstreams/echo.ts (uWS) answers to GET /hello. */
const SMALL = Buffer.from(
  'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nDate: Tue, 08 Dec 2026 01:00:00 GMT\r\nuWebSockets: 20\r\nContent-Length: 13\r\n\r\nHello, World!',
  'latin1',
);
const CHUNKED = Buffer.from(
  `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nDate: Tue, 08 Dec 2026 01:00:00 GMT\r\nuWebSockets: 20\r\nTransfer-Encoding: chunked\r\n\r\n${'d\r\ndata: {"i":1}\r\n'.repeat(10)}0\r\n\r\n`,
  'latin1',
);
/** The upstream header list the pipeline builds for wrk's `GET /hello` (core/proxy/forwarded.ts). */
const REQUEST_HEADERS = [
  'host', '127.0.0.1:9001',
  'x-forwarded-for', '127.0.0.1',
  'x-forwarded-proto', 'http',
  'x-forwarded-host', '127.0.0.1',
  'x-forwarded-port', '8000',
  'x-forwarded-path', '/hello',
  'x-real-ip', '127.0.0.1',
  'via', '1.1 gatehouse',
  'x-gatehouse-request-id', 'a1b2c3d40000001234',
  'x-forwarded-prefix', '/',
  'user-agent', 'wrk',
];

class CountingSink implements ResponseSink {
  bytes = 0;
  headers = 0;
  onResponseHead(status: number, _reason: string, headers: Buffer[]): boolean {
    this.headers += headers.length + status;
    return true;
  }
  onResponseBody(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    return true;
  }
}

function ours(bytes: Buffer): (n: number) => number {
  const sink = new CountingSink();
  const parser = new ResponseParser(sink);
  return (n) => {
    for (let i = 0; i < n; i++) {
      parser.reset(false);
      if (parser.execute(bytes, 0, bytes.length) !== bytes.length || !parser.done) throw new Error('parse failed');
    }
    return sink.bytes + sink.headers;
  };
}

interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(buf: Buffer): number | Error;
  [key: number]: unknown;
}
interface LlhttpClass {
  new (): LlhttpParser;
  RESPONSE: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}

function llhttp(bytes: Buffer, toBuffers: boolean): (n: number) => number {
  const { HTTPParser } = createRequire(import.meta.url)('_http_common') as { HTTPParser: LlhttpClass };
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.RESPONSE, {}, 0, 0);
  let total = 0;
  let complete = 0;
  parser[HTTPParser.kOnHeadersComplete] = (_major: number, _minor: number, headers: string[], _m: unknown, _u: unknown, status: number) => {
    if (toBuffers) {
      const raw: Buffer[] = new Array<Buffer>(headers.length);
      for (let i = 0; i < headers.length; i++) raw[i] = Buffer.from(headers[i] as string, 'latin1');
      total += raw.length;
    }
    total += headers.length + status;
    return 0;
  };
  parser[HTTPParser.kOnBody] = (b: Buffer) => {
    total += b.length;
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    complete++;
  };
  return (n) => {
    // Responses back to back, as on a keep-alive connection: llhttp restarts by itself.
    for (let i = 0; i < n; i++) {
      const r = parser.execute(bytes);
      if (typeof r !== 'number') throw r;
    }
    if (complete < n) throw new Error('llhttp did not complete every response');
    return total;
  };
}

function head(): (n: number) => number {
  // The socket write encodes the head (a rope of ~50 pieces) to latin1 bytes: so do we.
  const out = Buffer.allocUnsafe(4096);
  return (n) => {
    let length = 0;
    for (let i = 0; i < n; i++) {
      const text = buildRequestHead('GET', '/hello', REQUEST_HEADERS, null);
      if (text === null) throw new Error('head refused');
      length += out.write(text, 0, 'latin1');
    }
    return length;
  };
}

function runCase(name: Case, iterations: number): void {
  const cycle =
    name === 'parse' ? ours(SMALL)
    : name === 'parse-llhttp' ? llhttp(SMALL, false)
    : name === 'parse-llhttp-buffers' ? llhttp(SMALL, true)
    : name === 'chunked' ? ours(CHUNKED)
    : name === 'chunked-llhttp' ? llhttp(CHUNKED, false)
    : head();
  cycle(Math.min(iterations, 200_000)); // warm-up
  const start = process.hrtime.bigint();
  const check = cycle(iterations);
  const ns = Number(process.hrtime.bigint() - start);
  console.log(JSON.stringify({ case: name, iterations, nsPerOp: ns / iterations, check }));
}

microMain({
  self: fileURLToPath(import.meta.url),
  cases: CASES,
  defaultIterations: 2_000_000,
  run: runCase,
  header: (iterations) => {
    console.log(`http1: ${iterations} operations per case, node ${process.version}`);
    console.log('case                 | ns/op');
  },
  report: (c, r) => {
    console.log(`${c.padEnd(20)} | ${(r['nsPerOp'] as number).toFixed(0).padStart(5)}`);
  },
});
