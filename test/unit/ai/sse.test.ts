import { describe, expect, it } from 'vitest';
import { SseDecoder, sseFrame } from '../../../core/ai/sse.js';

describe('SseDecoder', () => {
  const stream = 'event: a\ndata: {"x":1}\n\n: comment\ndata: line1\ndata: line2\n\r\ndata: é\r\n\r\n';

  it('decodes whole input', () => {
    const d = new SseDecoder();
    expect(d.feed(stream)).toEqual([
      { event: 'a', data: '{"x":1}' },
      { event: '', data: 'line1\nline2' },
      { event: '', data: 'é' },
    ]);
  });

  it('gives the same events however the bytes are split (incl. inside UTF-8 and CRLF)', () => {
    const bytes = new TextEncoder().encode(stream);
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new SseDecoder();
      const got = [...d.feed(bytes.subarray(0, cut)), ...d.feed(bytes.subarray(cut)), ...d.end()];
      expect(got.map((e) => e.data)).toEqual(['{"x":1}', 'line1\nline2', 'é']);
    }
    const d = new SseDecoder();
    const one: string[] = [];
    for (const b of bytes) for (const e of d.feed(new Uint8Array([b]))) one.push(e.data);
    expect(one).toEqual(['{"x":1}', 'line1\nline2', 'é']);
  });

  it('flushes an unterminated last event at end()', () => {
    const d = new SseDecoder();
    expect(d.feed('data: tail')).toEqual([]);
    expect(d.end()).toEqual([{ event: '', data: 'tail' }]);
  });

  it('frames multi-line data', () => {
    expect(sseFrame('a\nb', 'x')).toBe('event: x\ndata: a\ndata: b\n\n');
    expect(new SseDecoder().feed(sseFrame('a\nb', 'x'))).toEqual([{ event: 'x', data: 'a\nb' }]);
  });
});
