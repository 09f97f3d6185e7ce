/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`), as Bedrock's
 * ConverseStream sends it. Decoding is incremental: bytes are kept only until a whole
 * message is in.
 *
 *   +------------+-------------+-------------+---------+---------+-------------+
 *   | total u32  | headers u32 | prelude crc | headers | payload | message crc |
 *   +------------+-------------+-------------+---------+---------+-------------+
 *     header: name-len u8, name, type u8, value (type 7 = string: u16 length + bytes)
 */
import { crc32 } from 'node:zlib';

export interface EventStreamMessage {
  headers: Record<string, string | number | boolean>;
  payload: Uint8Array;
}

const PRELUDE = 12;

function readHeaders(view: DataView, bytes: Uint8Array, start: number, end: number): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const text = new TextDecoder();
  let at = start;
  while (at < end) {
    const nameLen = view.getUint8(at);
    const name = text.decode(bytes.subarray(at + 1, at + 1 + nameLen));
    at += 1 + nameLen;
    const type = view.getUint8(at++);
    switch (type) {
      case 0: out[name] = true; break;
      case 1: out[name] = false; break;
      case 2: out[name] = view.getInt8(at); at += 1; break;
      case 3: out[name] = view.getInt16(at); at += 2; break;
      case 4: out[name] = view.getInt32(at); at += 4; break;
      case 5: case 8: out[name] = Number(view.getBigInt64(at)); at += 8; break;
      case 6: case 7: {
        const len = view.getUint16(at);
        out[name] = text.decode(bytes.subarray(at + 2, at + 2 + len));
        at += 2 + len;
        break;
      }
      case 9: at += 16; break;
      default: throw new Error(`event-stream header ${name} has unknown type ${type}`);
    }
  }
  return out;
}

export class EventStreamDecoder {
  #buf: Uint8Array = new Uint8Array(0);

  /** Returns the messages completed by this chunk; throws on a corrupt frame (CRC mismatch). */
  feed(chunk: Uint8Array): EventStreamMessage[] {
    if (this.#buf.length === 0) this.#buf = chunk;
    else {
      const joined = new Uint8Array(this.#buf.length + chunk.length);
      joined.set(this.#buf);
      joined.set(chunk, this.#buf.length);
      this.#buf = joined;
    }
    const out: EventStreamMessage[] = [];
    while (this.#buf.length >= PRELUDE) {
      const view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
      const total = view.getUint32(0);
      const headersLen = view.getUint32(4);
      if (crc32(this.#buf.subarray(0, 8)) !== view.getUint32(8)) throw new Error('event-stream prelude CRC mismatch');
      if (this.#buf.length < total) break;
      if (crc32(this.#buf.subarray(0, total - 4)) !== view.getUint32(total - 4)) throw new Error('event-stream message CRC mismatch');
      const headers = readHeaders(view, this.#buf, PRELUDE, PRELUDE + headersLen);
      out.push({ headers, payload: this.#buf.slice(PRELUDE + headersLen, total - 4) });
      this.#buf = this.#buf.subarray(total);
    }
    return out;
  }

  /** Bytes of an unfinished message (a stream cut mid-frame leaves some). */
  pending(): number {
    return this.#buf.length;
  }
}

/** Encodes one message with string headers (for mocks and tests). */
export function encodeEventStreamMessage(headers: Record<string, string>, payload: Uint8Array | string): Uint8Array {
  const enc = new TextEncoder();
  const body = typeof payload === 'string' ? enc.encode(payload) : payload;
  const parts: Uint8Array[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = enc.encode(name);
    const v = enc.encode(value);
    const h = new Uint8Array(1 + n.length + 1 + 2 + v.length);
    h[0] = n.length;
    h.set(n, 1);
    h[1 + n.length] = 7;
    new DataView(h.buffer).setUint16(2 + n.length, v.length);
    h.set(v, 4 + n.length);
    parts.push(h);
  }
  const headersLen = parts.reduce((s, p) => s + p.length, 0);
  const total = PRELUDE + headersLen + body.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headersLen);
  view.setUint32(8, crc32(out.subarray(0, 8)));
  let at = PRELUDE;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out.set(body, at);
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)));
  return out;
}
