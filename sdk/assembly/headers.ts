// Header maps, read and written through hostcalls on demand (nothing is cached guest-side).
import {
  proxy_add_header_map_value, proxy_get_header_map_pairs, proxy_get_header_map_value,
  proxy_remove_header_map_value, proxy_replace_header_map_value, proxy_set_header_map_pairs,
} from "./imports";
import { RET_LEN, RET_PTR, clearReturn, takeReturned } from "./alloc";
import { HeaderPair, deserializePairs, serializePairs } from "./pairs";
import { MapType, Status } from "./types";

export class HeaderMap {
  constructor(public readonly type: MapType) {}

  /** First value of `name`, or null. */
  get(name: string): string | null {
    const key = String.UTF8.encode(name);
    clearReturn();
    const status = proxy_get_header_map_value(<u32>this.type, changetype<usize>(key), <usize>key.byteLength, RET_PTR, RET_LEN);
    if (status != Status.Ok) return null;
    return String.UTF8.decode(takeReturned());
  }

  has(name: string): bool {
    return this.get(name) !== null;
  }

  /** Replace `name` (added when absent). */
  set(name: string, value: string): Status {
    const k = String.UTF8.encode(name);
    const v = String.UTF8.encode(value);
    return <Status>proxy_replace_header_map_value(<u32>this.type, changetype<usize>(k), <usize>k.byteLength, changetype<usize>(v), <usize>v.byteLength);
  }

  add(name: string, value: string): Status {
    const k = String.UTF8.encode(name);
    const v = String.UTF8.encode(value);
    return <Status>proxy_add_header_map_value(<u32>this.type, changetype<usize>(k), <usize>k.byteLength, changetype<usize>(v), <usize>v.byteLength);
  }

  remove(name: string): Status {
    const k = String.UTF8.encode(name);
    return <Status>proxy_remove_header_map_value(<u32>this.type, changetype<usize>(k), <usize>k.byteLength);
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
