/**
 * Guest memory access for hostcalls, shaped like undici's llhttp boundary: views over the
 * guest's linear memory are cached and rebuilt only when `memory.grow` has replaced the
 * underlying ArrayBuffer (a grow detaches the old buffer, so a stale view would read zero
 * bytes). Every read and write is bounds-checked; a bad pointer or length yields `null` or
 * `false`, which the hostcall turns into Status.InvalidMemoryAccess — it never throws into
 * the host.
 *
 * Guest allocation follows Envoy: the module's `malloc` export first, then
 * `proxy_on_memory_allocate`. The allocator runs guest code, so it may grow memory (views
 * are refreshed after it) and spends the current callback's fuel.
 */

const utf8 = new TextDecoder('utf-8');

export type GuestAllocator = (size: number) => number;

export class GuestMemory {
  readonly #memory: WebAssembly.Memory;
  readonly #alloc: GuestAllocator | null;
  #buffer: ArrayBuffer;
  #u8: Uint8Array;
  #view: DataView;

  constructor(memory: WebAssembly.Memory, alloc: GuestAllocator | null) {
    this.#memory = memory;
    this.#alloc = alloc;
    this.#buffer = memory.buffer;
    this.#u8 = new Uint8Array(this.#buffer);
    this.#view = new DataView(this.#buffer);
  }

  get hasAllocator(): boolean {
    return this.#alloc !== null;
  }

  get byteLength(): number {
    this.#refresh();
    return this.#buffer.byteLength;
  }

  #refresh(): void {
    const current = this.#memory.buffer;
    if (current !== this.#buffer) {
      this.#buffer = current;
      this.#u8 = new Uint8Array(current);
      this.#view = new DataView(current);
    }
  }

  /** True when [ptr, ptr+len) lies inside guest memory. Pointers arrive as signed i32. */
  inBounds(ptr: number, len: number): boolean {
    this.#refresh();
    const p = ptr >>> 0;
    const l = len >>> 0;
    return p + l <= this.#buffer.byteLength;
  }

  /**
   * A view of guest bytes, or null when out of bounds. The view aliases guest memory:
   * decode or copy it before running any guest code.
   */
  view(ptr: number, len: number): Uint8Array | null {
    if (!this.inBounds(ptr, len)) return null;
    const p = ptr >>> 0;
    return this.#u8.subarray(p, p + (len >>> 0));
  }

  /** A copy of guest bytes, or null when out of bounds. */
  copy(ptr: number, len: number): Uint8Array | null {
    const v = this.view(ptr, len);
    return v === null ? null : v.slice();
  }

  /** UTF-8 text from guest memory, or null when out of bounds. */
  string(ptr: number, len: number): string | null {
    const v = this.view(ptr, len);
    return v === null ? null : utf8.decode(v);
  }

  u32(ptr: number): number | null {
    if (!this.inBounds(ptr, 4)) return null;
    return this.#view.getUint32(ptr >>> 0, true);
  }

  writeU32(ptr: number, value: number): boolean {
    if (!this.inBounds(ptr, 4)) return false;
    this.#view.setUint32(ptr >>> 0, value >>> 0, true);
    return true;
  }

  writeU64(ptr: number, value: bigint): boolean {
    if (!this.inBounds(ptr, 8)) return false;
    this.#view.setBigUint64(ptr >>> 0, BigInt.asUintN(64, value), true);
    return true;
  }

  write(ptr: number, bytes: Uint8Array): boolean {
    if (!this.inBounds(ptr, bytes.byteLength)) return false;
    this.#u8.set(bytes, ptr >>> 0);
    return true;
  }

  /**
   * Allocate `bytes.length` in the guest, copy `bytes` there and store the pointer and
   * length at the two return slots. An empty value stores (0, 0) without allocating.
   * Returns false when a return slot is out of bounds or allocation failed.
   */
  returnBytes(bytes: Uint8Array, retPtr: number, retLen: number): boolean {
    if (!this.inBounds(retPtr, 4) || !this.inBounds(retLen, 4)) return false;
    if (bytes.byteLength === 0) {
      return this.writeU32(retPtr, 0) && this.writeU32(retLen, 0);
    }
    if (this.#alloc === null) return false;
    const ptr = this.#alloc(bytes.byteLength) >>> 0;
    // The allocator ran guest code: memory may have grown, and the slots must be rechecked.
    if (ptr === 0 || !this.write(ptr, bytes)) return false;
    return this.writeU32(retPtr, ptr) && this.writeU32(retLen, bytes.byteLength);
  }
}
