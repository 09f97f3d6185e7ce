// Header-map pairs in the proxy-wasm byte layout (see core/wasm/abi/pairs.ts).

export class HeaderPair {
  constructor(public key: string, public value: string) {}
}

export function serializePairs(pairs: HeaderPair[]): ArrayBuffer {
  const keys = new Array<ArrayBuffer>(pairs.length);
  const values = new Array<ArrayBuffer>(pairs.length);
  let size = 4 + pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) {
    keys[i] = String.UTF8.encode(pairs[i].key);
    values[i] = String.UTF8.encode(pairs[i].value);
    size += keys[i].byteLength + values[i].byteLength + 2;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, <u32>pairs.length);
  let sizes = base + 4;
  let data = base + 4 + <usize>pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) {
    const k = keys[i];
    const v = values[i];
    store<u32>(sizes, <u32>k.byteLength);
    store<u32>(sizes + 4, <u32>v.byteLength);
    sizes += 8;
    memory.copy(data, changetype<usize>(k), <usize>k.byteLength);
    data += <usize>k.byteLength + 1;
    memory.copy(data, changetype<usize>(v), <usize>v.byteLength);
    data += <usize>v.byteLength + 1;
  }
  return out;
}

export function deserializePairs(buf: ArrayBuffer): HeaderPair[] {
  const out = new Array<HeaderPair>();
  if (buf.byteLength < 4) return out;
  const base = changetype<usize>(buf);
  const count = load<u32>(base);
  let data = base + 4 + <usize>count * 8;
  const end = base + <usize>buf.byteLength;
  for (let i: u32 = 0; i < count; i++) {
    const klen = <usize>load<u32>(base + 4 + <usize>i * 8);
    const vlen = <usize>load<u32>(base + 8 + <usize>i * 8);
    if (data + klen + vlen + 2 > end) break;
    const key = String.UTF8.decodeUnsafe(data, klen);
    data += klen + 1;
    const value = String.UTF8.decodeUnsafe(data, vlen);
    data += vlen + 1;
    out.push(new HeaderPair(key, value));
  }
  return out;
}
