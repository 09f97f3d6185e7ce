// Header maps, read and written through hostcalls on demand (nothing is cached guest-side).
import {
  proxy_add_header_map_value, proxy_get_header_map_pairs, proxy_get_header_map_value,
  proxy_remove_header_map_value, proxy_replace_header_map_value, proxy_set_header_map_pairs,
} from "./imports";
import { RET_LEN, RET_PTR, clearReturn, takeReturned, takeReturnedString } from "./alloc";
import { HeaderPair, deserializePairs, serializePairs } from "./pairs";
import { MapType, Status } from "./types";

// Names and values are encoded into this static scratch area, not a fresh ArrayBuffer per
// call: a filter that reads and sets a few headers per request allocates nothing for them
// (larger text, over a third of the area, still gets its own buffer).
const SCRATCH_SIZE: i32 = 8192;
const SCRATCH: usize = memory.data(SCRATCH_SIZE);

/** UTF-8 bytes of `text` at SCRATCH + offset; returns the length, or -1 when it may not fit. */
function encodeScratch(text: string, offset: i32): i32 {
  const len = text.length;
  if (len * 3 > SCRATCH_SIZE - offset) return -1;
  return <i32>String.UTF8.encodeUnsafe(changetype<usize>(text), len, SCRATCH + <usize>offset);
}

export class HeaderMap {
  constructor(public readonly type: MapType) {}

  /** First value of `name`, or null. */
  get(name: string): string | null {
    clearReturn();
    let status: u32;
    const n = encodeScratch(name, 0);
    if (n >= 0) {
      status = proxy_get_header_map_value(<u32>this.type, SCRATCH, <usize>n, RET_PTR, RET_LEN);
    } else {
      const key = String.UTF8.encode(name);
      status = proxy_get_header_map_value(<u32>this.type, changetype<usize>(key), <usize>key.byteLength, RET_PTR, RET_LEN);
    }
    if (status != Status.Ok) return null;
    return takeReturnedString();
  }

  has(name: string): bool {
    return this.get(name) !== null;
  }

  /** Replace `name` (added when absent). */
  set(name: string, value: string): Status {
    return this.mutate(name, value, false);
  }

  add(name: string, value: string): Status {
    return this.mutate(name, value, true);
  }

  remove(name: string): Status {
    const n = encodeScratch(name, 0);
    if (n >= 0) return <Status>proxy_remove_header_map_value(<u32>this.type, SCRATCH, <usize>n);
    const k = String.UTF8.encode(name);
    return <Status>proxy_remove_header_map_value(<u32>this.type, changetype<usize>(k), <usize>k.byteLength);
  }

  private mutate(name: string, value: string, append: bool): Status {
    const n = encodeScratch(name, 0);
    const m = n >= 0 ? encodeScratch(value, n) : -1;
    if (m >= 0) {
      const vPtr = SCRATCH + <usize>n;
      return <Status>(append
        ? proxy_add_header_map_value(<u32>this.type, SCRATCH, <usize>n, vPtr, <usize>m)
        : proxy_replace_header_map_value(<u32>this.type, SCRATCH, <usize>n, vPtr, <usize>m));
    }
    const k = String.UTF8.encode(name);
    const v = String.UTF8.encode(value);
    return <Status>(append
      ? proxy_add_header_map_value(<u32>this.type, changetype<usize>(k), <usize>k.byteLength, changetype<usize>(v), <usize>v.byteLength)
      : proxy_replace_header_map_value(<u32>this.type, changetype<usize>(k), <usize>k.byteLength, changetype<usize>(v), <usize>v.byteLength));
  }

  all(): HeaderPair[] {
    clearReturn();
    if (proxy_get_header_map_pairs(<u32>this.type, RET_PTR, RET_LEN) != Status.Ok) return new Array<HeaderPair>();
    return deserializePairs(takeReturned());
  }

  replaceAll(pairs: HeaderPair[]): Status {
    const buf = serializePairs(pairs);
    return <Status>proxy_set_header_map_pairs(<u32>this.type, changetype<usize>(buf), <usize>buf.byteLength);
  }
}

export const requestHeaders = new HeaderMap(MapType.HttpRequestHeaders);
export const requestTrailers = new HeaderMap(MapType.HttpRequestTrailers);
export const responseHeaders = new HeaderMap(MapType.HttpResponseHeaders);
export const responseTrailers = new HeaderMap(MapType.HttpResponseTrailers);
export const httpCallResponseHeaders = new HeaderMap(MapType.HttpCallResponseHeaders);
