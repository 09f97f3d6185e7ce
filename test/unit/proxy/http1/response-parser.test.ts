/**
 * The HTTP/1.1 response parser on the hostile-upstream corpus (test/fixtures/
 * hostile-upstreams.ts), fed whole, as the upstream writes it, and one byte at a time:
 * every split must give the same outcome. Bytes go through one reused scratch buffer that
 * is overwritten after each call, as the connection's read buffer is, so header Buffers
 * that were not copied would show garbage.
 */
import { describe, expect, it } from 'vitest';
import { H1Code, malformed, type H1Error } from '../../../../core/proxy/http1/errors.js';
import { BodyKind, ResponseParser, type ResponseSink } from '../../../../core/proxy/http1/response-parser.js';
import { MAX_HEAD_BYTES } from '../../../../core/proxy/http1/limits.js';
import { HOSTILE_CASES, type HostileCase } from '../../../fixtures/hostile-upstreams.js';

interface Result {
  status: number;
  reason: string;
  headers: Buffer[];
  body: Buffer[];
  trailers: Buffer[] | null;
  error: H1Error | null;
  done: boolean;
}

class Recorder implements ResponseSink {
  status = 0;
  reason = '';
  headers: Buffer[] = [];
  body: Buffer[] = [];
  heads = 0;
  /** Return values for the callbacks. */
  holdHead = false;
  holdBody = false;
  onResponseHead(status: number, reason: string, headers: Buffer[]): boolean {
    this.heads++;
    this.status = status;
    this.reason = reason;
    this.headers = headers;
    return !this.holdHead;
  }
  onResponseBody(chunk: Buffer): boolean {
    // Views are valid only during the call: keep a copy.
    this.body.push(Buffer.from(chunk));
    return !this.holdBody;
  }
}

const scratch = Buffer.alloc(64 * 1024);

/** Feeds `pieces` as the connection does; bytes after the end of the response are the connection's error. */
function run(c: HostileCase, pieces: Buffer[]): Result {
  const sink = new Recorder();
  const parser = new ResponseParser(sink);
  parser.reset(c.method === 'HEAD');
  let error: H1Error | null = null;
  let done = false;
  for (const piece of pieces) {
    if (piece.length === 0) continue;
    if (done) {
      error = malformed('bytes after the end of the response');
      break;
    }
    piece.copy(scratch, 0);
    const pos = parser.execute(scratch, 0, piece.length);
    scratch.fill(0xee, 0, piece.length);
    if (parser.error !== null) {
      error = parser.error;
      break;
    }
    if (parser.done) {
      done = true;
      if (pos !== piece.length) {
        error = malformed('bytes after the end of the response');
        break;
      }
    }
  }
  if (error === null && !done && c.then === 'end') {
    error = parser.finishEof();
    done = error === null && parser.done;
  }
  return { status: sink.status, reason: sink.reason, headers: sink.headers, body: sink.body, trailers: parser.trailers, error, done };
}

const bytesOf = (w: string | Buffer): Buffer => (typeof w === 'string' ? Buffer.from(w, 'latin1') : w);

function splits(c: HostileCase): [string, Buffer[]][] {
  const whole = Buffer.concat(c.writes.map(bytesOf));
  const bytewise: Buffer[] = [];
  for (let i = 0; i < whole.length; i++) bytewise.push(whole.subarray(i, i + 1));
  return [
    ['whole', [whole]],
    ['as written', c.writes.map(bytesOf)],
    ['byte by byte', bytewise],
  ];
}

const pairs = (fields: Buffer[] | null): [string, string][] => {
  const out: [string, string][] = [];
  if (fields === null) return out;
  for (let i = 0; i < fields.length; i += 2) out.push([(fields[i] as Buffer).toString('latin1'), (fields[i + 1] as Buffer).toString('latin1')]);
  return out;
};

describe('response parser: the hostile-upstream corpus', () => {
  const cases = HOSTILE_CASES.filter((c) => c.parse !== null);
  it('has the corpus the brief asks for (at least 40 cases)', () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of cases) {
    it(c.name, () => {
      const expected = c.parse;
      if (expected === null) return;
      for (const [how, pieces] of splits(c)) {
        const r = run(c, pieces);
        const label = `${c.name} (${how})`;
        if (expected.ok) {
          expect(r.error, label).toBeNull();
          expect(r.done, label).toBe(true);
          expect(r.status, label).toBe(expected.status);
          expect(Buffer.concat(r.body).toString('latin1'), label).toBe(expected.body);
          if (expected.headers !== undefined) expect(pairs(r.headers), label).toEqual(expected.headers);
          if (expected.trailers !== undefined) expect(pairs(r.trailers), label).toEqual(expected.trailers);
          continue;
        }
        expect(r.error, label).not.toBeNull();
        expect(r.error?.code, label).toBe(expected.code);
        // Where the extra bytes fall across reads decides which check sees them first.
        if (expected.reason !== undefined && !(c.excess === true && how !== 'whole')) expect(r.error?.message, label).toMatch(expected.reason);
        if (c.excess === true) expect(r.error?.message, label).toMatch(/after the end|more body bytes|no body/);
      }
    });
  }

  it('errors on an oversized head before delivering anything to the sink', () => {
    const sink = new Recorder();
    const parser = new ResponseParser(sink);
    parser.reset(false);
    const big = Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`);
    parser.execute(big, 0, big.length);
    expect(parser.error?.code).toBe(H1Code.HEAD_TOO_LARGE);
    expect(sink.heads).toBe(0);
  });
});

describe('response parser: framing and connection state', () => {
  function parse(text: string, headRequest = false): { parser: ResponseParser; sink: Recorder; pos: number } {
    const sink = new Recorder();
    const parser = new ResponseParser(sink);
    parser.reset(headRequest);
    const buf = Buffer.from(text, 'latin1');
    const pos = parser.execute(buf, 0, buf.length);
    return { parser, sink, pos };
  }

  it('keeps HTTP/1.1 alive unless Connection lists close (any case, among other tokens)', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').parser.keepAlive).toBe(true);
    expect(parse('HTTP/1.1 200 OK\r\nConnection: X-Foo, CLOSE\r\nContent-Length: 0\r\n\r\n').parser.keepAlive).toBe(false);
    expect(parse('HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 0\r\n\r\n').parser.keepAlive).toBe(true);
  });

  it('keeps HTTP/1.0 alive only with Connection: keep-alive', () => {
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').parser.keepAlive).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n').parser.keepAlive).toBe(true);
  });

  it('never keeps a close-delimited response alive; it ends at EOF', () => {
    const { parser, sink } = parse('HTTP/1.1 200 OK\r\n\r\nabc');
    expect(parser.bodyKind).toBe(BodyKind.EOF);
    expect(parser.keepAlive).toBe(false);
    expect(parser.done).toBe(false);
    expect(parser.finishEof()).toBeNull();
    expect(parser.done).toBe(true);
    expect(Buffer.concat(sink.body).toString()).toBe('abc');
  });

  it('reads the Keep-Alive timeout hint in ms', () => {
    expect(parse('HTTP/1.1 200 OK\r\nKeep-Alive: max=100, Timeout=5\r\nContent-Length: 0\r\n\r\n').parser.keepAliveHintMs).toBe(5000);
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').parser.keepAliveHintMs).toBe(-1);
  });

  it('passes the reason phrase and keeps header case as sent', () => {
    const { sink } = parse('HTTP/1.1 418 I\'m a teapot\r\nX-MiXeD: Yes\r\nContent-Length: 0\r\n\r\n');
    expect(sink.reason).toBe("I'm a teapot");
    expect(pairs(sink.headers)).toEqual([['X-MiXeD', 'Yes'], ['Content-Length', '0']]);
  });

  it('HEAD: Content-Length is the representation length, no body is read', () => {
    const { parser, pos } = parse('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n', true);
    expect(parser.done).toBe(true);
    expect(parser.bodyKind).toBe(BodyKind.NONE);
    expect(pos).toBe(41);
  });

  it('a sink holding the head gets nothing more, not even the end of a body-less response, until unhold', () => {
    const sink = new Recorder();
    sink.holdHead = true;
    const parser = new ResponseParser(sink);
    parser.reset(false);
    const buf = Buffer.from('HTTP/1.1 204 No Content\r\n\r\n');
    const pos = parser.execute(buf, 0, buf.length);
    expect(sink.heads).toBe(1);
    expect(parser.holding).toBe(true);
    expect(parser.done).toBe(false);
    parser.unhold();
    expect(parser.execute(buf, pos, buf.length)).toBe(buf.length);
    expect(parser.done).toBe(true);
  });

  it('a sink holding body data stops data delivery where it is; the rest comes after unhold', () => {
    const sink = new Recorder();
    sink.holdBody = true;
    const parser = new ResponseParser(sink);
    parser.reset(false);
    const buf = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n');
    let pos = parser.execute(buf, 0, buf.length);
    expect(Buffer.concat(sink.body).toString()).toBe('abc');
    expect(parser.holding).toBe(true);
    // The framing after the held chunk is consumed up to the next data byte.
    expect(buf.toString('latin1', pos, pos + 3)).toBe('def');
    sink.holdBody = false;
    parser.unhold();
    pos = parser.execute(buf, pos, buf.length);
    expect(pos).toBe(buf.length);
    expect(parser.done).toBe(true);
    expect(Buffer.concat(sink.body).toString()).toBe('abcdef');
  });

  it('completes a Content-Length body on its last byte even when the sink holds after it', () => {
    const sink = new Recorder();
    sink.holdBody = true;
    const parser = new ResponseParser(sink);
    parser.reset(false);
    const buf = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc');
    parser.execute(buf, 0, buf.length);
    expect(parser.done).toBe(true);
  });

  it('parses the next response after reset (keep-alive reuse)', () => {
    const sink = new Recorder();
    const parser = new ResponseParser(sink);
    for (const status of [200, 404, 500]) {
      parser.reset(false);
      const buf = Buffer.from(`HTTP/1.1 ${status} X\r\nContent-Length: 2\r\n\r\nok`);
      expect(parser.execute(buf, 0, buf.length)).toBe(buf.length);
      expect(parser.done).toBe(true);
      expect(sink.status).toBe(status);
      expect(parser.receivedAny).toBe(true);
    }
  });

  it('reports whether any byte of the response arrived (the keep-alive race needs none)', () => {
    const parser = new ResponseParser(new Recorder());
    parser.reset(false);
    expect(parser.receivedAny).toBe(false);
    expect(parser.finishEof()?.message).toMatch(/before sending a response/);
    parser.reset(false);
    parser.execute(Buffer.from('H'), 0, 1);
    expect(parser.receivedAny).toBe(true);
    expect(parser.finishEof()?.code).toBe(H1Code.CLOSED);
  });
});
