// Shared data: key -> bytes with compare-and-swap, visible to every worker of the gateway.
import { proxy_get_shared_data, proxy_set_shared_data } from "./imports";
import { RET_EXTRA, RET_LEN, RET_PTR, clearReturn, takeReturned } from "./alloc";
import { Status } from "./types";

export class SharedValue {
  constructor(public value: ArrayBuffer, public cas: u32) {}
  get text(): string { return String.UTF8.decode(this.value); }
}

export function getSharedData(key: string): SharedValue | null {
  const k = String.UTF8.encode(key);
  clearReturn();
  store<u32>(RET_EXTRA, 0);
  if (proxy_get_shared_data(changetype<usize>(k), <usize>k.byteLength, RET_PTR, RET_LEN, RET_EXTRA) != Status.Ok) return null;
  const cas = load<u32>(RET_EXTRA);
  return new SharedValue(takeReturned(), cas);
}

/** Set a value; with cas != 0 the write fails with Status.CasMismatch unless it is current. */
export function setSharedData(key: string, value: ArrayBuffer, cas: u32 = 0): Status {
  const k = String.UTF8.encode(key);
  return <Status>proxy_set_shared_data(changetype<usize>(k), <usize>k.byteLength, changetype<usize>(value), <usize>value.byteLength, cas);
}

export function setSharedString(key: string, value: string, cas: u32 = 0): Status {
  return setSharedData(key, String.UTF8.encode(value), cas);
}

/**
 * A cas no stored value carries: with it, a set inserts a missing key and fails with
 * CasMismatch when the key exists (the same on Envoy, whose stamps never match it).
 */
export const CAS_ABSENT: u32 = 0xffffffff;

/**
 * Add `delta` to a decimal counter stored under `key`, retrying on CAS conflicts (another
 * worker wrote in between). Returns the new value, or -1 when the host refused the write.
 */
export function incrementShared(key: string, delta: i64 = 1, maxAttempts: i32 = 100): i64 {
  for (let i = 0; i < maxAttempts; i++) {
    const current = getSharedData(key);
    let value: i64 = 0;
    // A missing key is created only if it is still missing: two workers racing on the
    // first increment cannot both write 1 (cas 0 would overwrite unconditionally).
    let cas: u32 = CAS_ABSENT;
    if (current !== null) {
      value = I64.parseInt(current.text);
      cas = current.cas;
    }
    const next = value + delta;
    const status = setSharedString(key, next.toString(), cas);
    if (status == Status.Ok) return next;
    if (status != Status.CasMismatch) return -1;
  }
  return -1;
}
