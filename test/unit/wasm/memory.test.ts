import { describe, expect, it } from 'vitest';
import { GuestMemory } from '../../../core/wasm/memory.js';

const PAGE = 65536;

describe('GuestMemory', () => {
  it('sees memory the guest grew (the old buffer is detached) without re-reading it on every access', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    const guest = new GuestMemory(memory, null);
    expect(guest.inBounds(PAGE - 4, 4)).toBe(true);
    expect(guest.inBounds(PAGE, 4)).toBe(false);
    memory.grow(1);
    // A stale view would report the old size and refuse (or misplace) this write.
    expect(guest.writeU32(PAGE + 8, 0xdeadbeef)).toBe(true);
    expect(new DataView(memory.buffer).getUint32(PAGE + 8, true)).toBe(0xdeadbeef);
    expect(guest.byteLength).toBe(2 * PAGE);
  });

  it('decodes short ASCII, longer and non-ASCII text alike', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const guest = new GuestMemory(memory, null);
    const bytes = new Uint8Array(memory.buffer);
    const put = (at: number, text: string): number => {
      const encoded = new TextEncoder().encode(text);
      bytes.set(encoded, at);
      return encoded.byteLength;
    };
    expect(guest.string(0, put(0, 'x-bench-agent'))).toBe('x-bench-agent');
    expect(guest.string(100, put(100, 'héllo wörld'))).toBe('héllo wörld');
    const long = 'a'.repeat(300) + 'é';
    expect(guest.string(1000, put(1000, long))).toBe(long);
    expect(guest.string(PAGE - 2, 4)).toBeNull();
  });

  it('remembers short strings by content, never by address', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const guest = new GuestMemory(memory, null);
    const bytes = new Uint8Array(memory.buffer);
    const put = (at: number, text: string): number => {
      bytes.set(new TextEncoder().encode(text), at);
      return text.length;
    };
    // The same address with new bytes, and the same bytes at another address.
    expect(guest.string(0, put(0, 'user-agent'))).toBe('user-agent');
    expect(guest.string(0, put(0, 'user-agenx'))).toBe('user-agenx');
    expect(guest.string(64, put(64, 'user-agenx'))).toBe('user-agenx');
    expect(guest.string(0, 4)).toBe('user');
    // Many names (most slots collide at least once), each read twice: always its own text.
    const names = Array.from({ length: 300 }, (_, i) => `x-header-${i}`);
    for (let round = 0; round < 2; round++) {
      for (const name of names) expect(guest.string(128, put(128, name))).toBe(name);
    }
    // Non-ASCII short text is decoded as UTF-8, not remembered as latin1.
    const n = new TextEncoder().encode('é').byteLength;
    bytes.set(new TextEncoder().encode('é'), 256);
    expect(guest.string(256, n)).toBe('é');
    expect(guest.string(256, n)).toBe('é');
  });

  it('returns strings into memory the allocator grew, ASCII or not', () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
    let next = PAGE; // every allocation lands in a page that does not exist yet
    const guest = new GuestMemory(memory, (size) => {
      memory.grow(1);
      const at = next;
      next += size;
      return at;
    });
    for (const text of ['alpha', 'ünïcödé']) {
      expect(guest.returnString(text, 0, 4)).toBe(true);
      const view = new DataView(memory.buffer);
      const ptr = view.getUint32(0, true);
      const len = view.getUint32(4, true);
      expect(new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len))).toBe(text);
    }
  });
});
