// Guest memory handed to the host. The host allocates only inside a hostcall that returns
// data (a header value, a body, a property), and the SDK reads that data right after the
// call, so proxy_on_memory_allocate serves it from a static arena that `clearReturn()`
// resets before each such call: no GC allocation, pinning or unpinning for the common
// case (a header value is decoded straight out of it). A request that does not fit gets a
// pinned ArrayBuffer, which `takeReturned` unpins and hands over as an ordinary managed
// ArrayBuffer.

/** Return slots passed to hostcalls: [ptr: u32, len: u32, extra: u32, pad, u64]. */
export const RET: usize = memory.data(24);
export const RET_PTR: usize = RET;
export const RET_LEN: usize = RET + 4;
export const RET_EXTRA: usize = RET + 8;
export const RET_U64: usize = RET + 16;

const ARENA_SIZE: usize = 16384;
const ARENA: usize = memory.data(<i32>ARENA_SIZE, 16);
let arenaUsed: usize = 0;

export function allocate(size: usize): usize {
  const aligned = (size + 7) & ~(<usize>7);
  if (aligned >= size && aligned <= ARENA_SIZE - arenaUsed) {
    const ptr = ARENA + arenaUsed;
    arenaUsed += aligned;
    return ptr;
  }
  const buf = new ArrayBuffer(<i32>size);
  const ptr = changetype<usize>(buf);
  __pin(ptr);
  return ptr;
}

function inArena(ptr: usize): bool {
  return ptr >= ARENA && ptr < ARENA + ARENA_SIZE;
}

/** The buffer a hostcall returned through RET_PTR/RET_LEN (empty when the host returned none). */
export function takeReturned(): ArrayBuffer {
  const ptr = <usize>load<u32>(RET_PTR);
  if (ptr == 0) return new ArrayBuffer(0);
  if (inArena(ptr)) {
    const len = <i32>load<u32>(RET_LEN);
    const buf = new ArrayBuffer(len);
    memory.copy(changetype<usize>(buf), ptr, <usize>len);
    return buf;
  }
  __unpin(ptr);
  return changetype<ArrayBuffer>(ptr);
}

/** The text a hostcall returned through RET_PTR/RET_LEN, decoded as UTF-8 ("" when none). */
export function takeReturnedString(): string {
  const ptr = <usize>load<u32>(RET_PTR);
  if (ptr == 0) return "";
  const text = String.UTF8.decodeUnsafe(ptr, <usize>load<u32>(RET_LEN));
  if (!inArena(ptr)) __unpin(ptr);
  return text;
}

/** Before a hostcall that returns data: empty return slots, and the arena is free again. */
export function clearReturn(): void {
  store<u32>(RET_PTR, 0);
  store<u32>(RET_LEN, 0);
  arenaUsed = 0;
}
