// Guest memory handed to the host: proxy_on_memory_allocate returns a pinned ArrayBuffer
// (so the GC keeps it while the host fills it); `takeReturned` reads the return slots a
// hostcall filled, unpins the buffer and hands it over as an ordinary managed ArrayBuffer.

/** Return slots passed to hostcalls: [ptr: u32, len: u32, extra: u32, pad, u64]. */
export const RET: usize = memory.data(24);
export const RET_PTR: usize = RET;
export const RET_LEN: usize = RET + 4;
export const RET_EXTRA: usize = RET + 8;
export const RET_U64: usize = RET + 16;

export function allocate(size: usize): usize {
  const buf = new ArrayBuffer(<i32>size);
  const ptr = changetype<usize>(buf);
  __pin(ptr);
  return ptr;
}

/** The buffer a hostcall returned through RET_PTR/RET_LEN (empty when the host returned none). */
export function takeReturned(): ArrayBuffer {
  const ptr = load<u32>(RET_PTR);
  if (ptr == 0) return new ArrayBuffer(0);
  __unpin(<usize>ptr);
  return changetype<ArrayBuffer>(<usize>ptr);
}

export function clearReturn(): void {
  store<u32>(RET_PTR, 0);
  store<u32>(RET_LEN, 0);
}
