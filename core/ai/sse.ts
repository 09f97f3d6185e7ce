/**
 * Incremental Server-Sent Events decoding and encoding (WHATWG HTML §9.2 framing).
 * The decoder keeps only the unfinished line and the event being assembled, never the
 * stream: feed it upstream chunks as they arrive, split anywhere (even inside a UTF-8
 * sequence or between `\r` and `\n`).
 */

import type { StreamEvent } from './types.js';

export interface SseEvent {
  /** `event:` field; '' when absent (the spec's default "message"). */
  event: string;
  data: string;
}

export class SseDecoder {
  #decoder = new TextDecoder();
  #line = '';
  #event = '';
  #data: string[] = [];
  #sawCr = false;

  /** Decodes one chunk; returns the events it completed. */
  feed(chunk: Uint8Array | string): SseEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    const out: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // "\r\n" split across chunks: the "\n" ends nothing new.
      if (c === 10 && i === 0 && this.#sawCr) {
        start = 1;
        continue;
      }
      this.#takeLine(this.#line + text.slice(start, i), out);
      this.#line = '';
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    if (start < text.length) this.#line += text.slice(start);
    this.#sawCr = text.length > 0 && text.charCodeAt(text.length - 1) === 13;
    return out;
  }

  /** Flushes a final event the stream ended without a blank line for. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.#line !== '') this.#takeLine(this.#line, out);
    this.#line = '';
    this.#takeLine('', out);
    return out;
  }

  #takeLine(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.#data.length > 0) out.push({ event: this.#event, data: this.#data.join('\n') });
      this.#data = [];
      this.#event = '';
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
  }
}

/** One SSE frame: `event:` line when named, `data:` lines, blank line. */
export function sseFrame(data: string, event?: string): string {
  const head = event === undefined ? '' : `event: ${event}\n`;
  if (data.indexOf('\n') === -1) return `${head}data: ${data}\n\n`;
  return `${head}data: ${data.split('\n').join('\ndata: ')}\n\n`;
}

/** The event a stream cut short before its own end produces (then `end`). */
export function streamCut(): StreamEvent {
  return { type: 'error', status: 502, message: 'upstream stream ended before it finished', errorType: 'api_error' };
}

/**
 * An upstream SSE stream read into canonical events, chunk by chunk: subclasses turn each
 * `data:` payload into events (`take`) and set `done` when the stream reaches its own end.
 * When the upstream closes first, `onCut` reports it (by default an error event, then end).
 */
export abstract class SseStreamParser {
  readonly #sse = new SseDecoder();
  protected done = false;

  feed(chunk: Uint8Array | string): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const ev of this.#sse.feed(chunk)) this.take(ev.data, out);
    return out;
  }

  /** The upstream closed: flush, and report a stream cut short. */
  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const ev of this.#sse.end()) this.take(ev.data, out);
    if (!this.done) {
      this.done = true;
      this.onCut(out);
    }
    return out;
  }

  protected onCut(out: StreamEvent[]): void {
    out.push(streamCut(), { type: 'end' });
  }

  protected abstract take(data: string, out: StreamEvent[]): void;
}
