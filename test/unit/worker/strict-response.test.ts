/**
 * The strict front's HttpResponse against a recording socket: uWS's response semantics
 * (framing per method, one write for a small response, HTTP/1.0 without chunked coding)
 * and the backpressure hand-off, including the regression where a writer that re-blocked
 * inside its onWritable handler lost the new handler (a 256 KiB chunked response hung).
 */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { StrictResponse, type ResponseOwner } from '../../../core/worker/strict/response.js';

class RecordingSocket {
  writes: string[] = [];
  /** write() answers false (past the high-water mark) while set. */
  full = false;
  writableNeedDrain = false;
  write(data: string | Uint8Array, encoding?: BufferEncoding): boolean {
    this.writes.push(typeof data === 'string' ? Buffer.from(data, encoding ?? 'utf8').toString('latin1') : Buffer.from(data).toString('latin1'));
    this.writableNeedDrain = this.full;
    return !this.full;
  }
  cork(): void {}
  uncork(): void {}
  get text(): string {
    return this.writes.join('');
  }
}

class Owner implements ResponseOwner {
  readonly recorder = new RecordingSocket();
  readonly socket = this.recorder as unknown as Socket;
  done: boolean[] = [];
  pending = false;
  responseDone(_res: StrictResponse, close: boolean): void {
    this.done.push(close);
  }
  bodyPending(): boolean {
    return this.pending;
  }
  pauseReading(): void {}
  resumeReading(): void {}
  bodyWanted(): void {}
  remoteAddress(): ArrayBuffer {
    return new ArrayBuffer(0);
  }
  destroy(): void {}
}

const withoutDate = (text: string): string => text.replace(/Date: [^\r]*\r\n/, '');

describe('StrictResponse', () => {
  it('writes a small response in one write, framed by Content-Length', () => {
    const owner = new Owner();
    const res = new StrictResponse(owner, false, true);
    res.writeStatus('404 Not Found').writeHeader('content-type', 'application/json').writeHeader(Buffer.from('x-b'), Buffer.from('caf\xe9', 'latin1'));
    res.end('{"message":"x"}');
    expect(owner.recorder.writes.length).toBe(1);
    expect(withoutDate(owner.recorder.text)).toBe('HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\nx-b: caf\xe9\r\nContent-Length: 15\r\n\r\n{"message":"x"}');
    expect(owner.done).toEqual([false]);
  });

  it('closes when asked, when the client did not keep alive, or when the request body is unread', () => {
    for (const [close, keepAlive, pending] of [
      [true, true, false],
      [false, false, false],
      [false, true, true],
    ] as const) {
      const owner = new Owner();
      owner.pending = pending;
      new StrictResponse(owner, false, keepAlive).end('x', close);
      expect(owner.recorder.text).toContain('Connection: close\r\n');
      expect(owner.done).toEqual([true]);
    }
  });

  it('sends a sized body with tryEnd, the head with the first chunk', () => {
    const owner = new Owner();
    const res = new StrictResponse(owner, false, true);
    expect(res.tryEnd(Buffer.from('abc'), 5)).toEqual([true, false]);
    expect(res.getWriteOffset()).toBe(3);
    expect(res.tryEnd(Buffer.from('de'), 5)).toEqual([true, true]);
    expect(withoutDate(owner.recorder.text)).toBe('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde');
    expect(owner.done).toEqual([false]);
  });

  it('streams chunked to HTTP/1.1 and close-delimited to HTTP/1.0', () => {
    const owner = new Owner();
    const res = new StrictResponse(owner, false, true);
    res.write(Buffer.from('hello'));
    res.write('');
    res.end();
    expect(withoutDate(owner.recorder.text)).toBe('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    const old = new Owner();
    const res10 = new StrictResponse(old, true, true);
    res10.write(Buffer.from('hello'));
    res10.end();
    expect(withoutDate(old.recorder.text)).toBe('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello');
    expect(old.done).toEqual([true]);
  });

  it('answers HEAD with the length and no body, and 204 with neither', () => {
    const owner = new Owner();
    new StrictResponse(owner, false, true).endWithoutBody(42);
    expect(withoutDate(owner.recorder.text)).toBe('HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n');
    const none = new Owner();
    new StrictResponse(none, false, true).writeStatus('204 No Content').endWithoutBody();
    expect(withoutDate(none.recorder.text)).toBe('HTTP/1.1 204 No Content\r\n\r\n');
  });

  it('keeps a handler registered again from inside its own onWritable call', () => {
    const owner = new Owner();
    const res = new StrictResponse(owner, false, true);
    owner.recorder.full = true;
    expect(res.write(Buffer.alloc(10))).toBe(false);
    const calls: string[] = [];
    const second = (offset: number): boolean => {
      calls.push(`second ${offset}`);
      return true;
    };
    res.onWritable((offset) => {
      calls.push(`first ${offset}`);
      // The writer resumes its source, whose next chunk blocks it again at once.
      res.write(Buffer.alloc(5));
      res.onWritable(second);
      return true;
    });
    res.drained();
    res.drained();
    res.drained();
    expect(calls).toEqual(['first 10', 'second 15']);
  });

  it('keeps a handler that is not done yet, and hands over body bytes that came before onData', async () => {
    const owner = new Owner();
    const res = new StrictResponse(owner, false, true);
    let tries = 0;
    res.onWritable(() => ++tries === 2);
    res.drained();
    res.drained();
    res.drained();
    expect(tries).toBe(2);
    res.deliver(Buffer.from('ab'), false);
    res.deliver(Buffer.from('cd'), true);
    const got: string[] = [];
    res.onData((chunk, last) => got.push(`${Buffer.from(chunk).toString()}${last ? '|last' : ''}`));
    expect(got).toEqual([]); // never inside onData itself
    await Promise.resolve();
    expect(got).toEqual(['ab', 'cd|last']);
  });
});
