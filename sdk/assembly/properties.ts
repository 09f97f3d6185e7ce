// Properties by path: ["request", "path"], ["source", "address"], ["plugin_name"], ...
import { proxy_get_property, proxy_set_property } from "./imports";
import { RET_LEN, RET_PTR, clearReturn, takeReturned } from "./alloc";
import { Status } from "./types";

function encodePath(path: string[]): ArrayBuffer {
  return String.UTF8.encode(path.join("\0"));
}

/** Raw property bytes, or null when the host does not know the path. */
export function getProperty(path: string[]): ArrayBuffer | null {
  const p = encodePath(path);
  clearReturn();
  if (proxy_get_property(changetype<usize>(p), <usize>p.byteLength, RET_PTR, RET_LEN) != Status.Ok) return null;
  return takeReturned();
}

export function getPropertyString(path: string[]): string | null {
  const v = getProperty(path);
  return v === null ? null : String.UTF8.decode(v);
}

/** Integer properties (response.code, source.port) are int64 little-endian. */
export function getPropertyInt(path: string[]): i64 {
  const v = getProperty(path);
  if (v === null || v.byteLength < 8) return -1;
  return load<i64>(changetype<usize>(v));
}

export function setProperty(path: string[], value: string): Status {
  const p = encodePath(path);
  const v = String.UTF8.encode(value);
  return <Status>proxy_set_property(changetype<usize>(p), <usize>p.byteLength, changetype<usize>(v), <usize>v.byteLength);
}
