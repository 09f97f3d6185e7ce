/**
 * proxy-wasm shared data: key -> (bytes, cas) in one SharedArrayBuffer, so every worker
 * thread that attaches the same buffer sees one value. A fixed-capacity open-addressing
 * table (linear probing, FNV-1a hash); keys are never deleted (proxy-wasm has no delete),
 * so there are no tombstones. One spin/wait lock guards the whole table: operations copy at
 * most a key and a value, so the critical section is short.
 *
 * CAS follows Envoy's SharedData: every successful set stamps a fresh non-zero cas; a set
 * with cas != 0 on an existing key fails with CasMismatch unless it matches; a set on a
 * missing key always inserts.
 *
 * "Insert only if absent" falls out of those rules with a cas no stamp ever takes:
 * CAS_ABSENT (0xffffffff) inserts a missing key and fails with CasMismatch on an existing
 * one — on Envoy too — so two workers that both saw a key missing cannot both write the
 * first value (the SDK's incrementShared relies on it to count exactly).
 *
 * Layout (all integers little-endian u32/i32, offsets in bytes):
 *
 *   header (32 bytes)
 *   +------+-------+----------+---------+-----------+---------+-----------+
 *   | lock | count | capacity | maxKey  | maxValue  | nextCas | slotBytes | (pad)
 *   +------+-------+----------+---------+-----------+---------+-----------+
 *     0      4       8          12        16          20        24
 *
 *   slot i at 32 + i * slotBytes (slotBytes = 20 + maxKey + maxValue, rounded up to 4)
 *   +-------+------+-----+--------+----------+------------------+----------------------+
 *   | state | hash | cas | keyLen | valueLen | key[maxKey]      | value[maxValue]      |
 *   +-------+------+-----+--------+----------+------------------+----------------------+
 *     0       4      8     12       16         20                 20 + maxKey
 *   state: 0 = empty, 1 = used
 */
import { fnv1a, lockTable, unlockTable } from './table-lock.js';

const HEADER_BYTES = 32;
const H_LOCK = 0;
const H_COUNT = 1;
const H_CAPACITY = 2;
const H_MAX_KEY = 3;
const H_MAX_VALUE = 4;
const H_NEXT_CAS = 5;
const H_SLOT_BYTES = 6;

const S_STATE = 0;
const S_HASH = 4;
const S_CAS = 8;
const S_KEY_LEN = 12;
const S_VALUE_LEN = 16;
const S_KEY = 20;


/** A cas that no stored value ever carries: "set only if the key does not exist yet". */
export const CAS_ABSENT = 0xffffffff;

export const KvResult = {
  Ok: 0,
  CasMismatch: 1,
  /** The table has no free slot for a new key. */
  Full: 2,
  /** Key or value exceeds the table's per-entry caps. */
  TooLarge: 3,
} as const;
export type KvResult = (typeof KvResult)[keyof typeof KvResult];

export interface KvOptions {
  /** Number of slots (entries) the table can hold. */
  readonly capacity: number;
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
}

export const DEFAULT_KV_OPTIONS: KvOptions = { capacity: 1024, maxKeyBytes: 256, maxValueBytes: 1024 };

export interface KvEntry {
  readonly value: Uint8Array;
  readonly cas: number;
}

const encoder = new TextEncoder();


function toBytes(v: Uint8Array | string): Uint8Array {
  return typeof v === 'string' ? encoder.encode(v) : v;
}

export class SharedKv {
  readonly buffer: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #view: DataView;
  readonly #capacity: number;
  readonly #maxKey: number;
  readonly #maxValue: number;
  readonly #slotBytes: number;

  /** Create a fresh table. */
  static create(options: KvOptions = DEFAULT_KV_OPTIONS): SharedKv {
    const { capacity, maxKeyBytes, maxValueBytes } = options;
    for (const [k, v] of Object.entries(options)) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`kv option "${k}" must be a positive integer`);
    }
    const slotBytes = (S_KEY + maxKeyBytes + maxValueBytes + 3) & ~3;
    const sab = new SharedArrayBuffer(HEADER_BYTES + capacity * slotBytes);
    const i32 = new Int32Array(sab, 0, HEADER_BYTES / 4);
    i32[H_CAPACITY] = capacity;
    i32[H_MAX_KEY] = maxKeyBytes;
    i32[H_MAX_VALUE] = maxValueBytes;
    i32[H_NEXT_CAS] = 1;
    i32[H_SLOT_BYTES] = slotBytes;
    return new SharedKv(sab);
  }

  /** Attach to a table created elsewhere (e.g. a buffer posted to a worker thread). */
  static attach(buffer: SharedArrayBuffer): SharedKv {
    return new SharedKv(buffer);
  }

  private constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#i32 = new Int32Array(buffer);
    this.#u8 = new Uint8Array(buffer);
    this.#view = new DataView(buffer);
    this.#capacity = this.#i32[H_CAPACITY] as number;
    this.#maxKey = this.#i32[H_MAX_KEY] as number;
    this.#maxValue = this.#i32[H_MAX_VALUE] as number;
    this.#slotBytes = this.#i32[H_SLOT_BYTES] as number;
    if (!(this.#capacity > 0 && this.#slotBytes > 0)) throw new Error('kv buffer is not an initialised table');
  }

  get maxKeyBytes(): number {
    return this.#maxKey;
  }

  get maxValueBytes(): number {
    return this.#maxValue;
  }

  /** Number of keys stored. */
  get size(): number {
    return Atomics.load(this.#i32, H_COUNT);
  }

  get(key: Uint8Array | string): KvEntry | null {
    const k = toBytes(key);
    if (k.byteLength > this.#maxKey) return null;
    lockTable(this.#i32, H_LOCK);
    try {
      const at = this.#find(k, fnv1a(k));
      if (at < 0) return null;
      const len = this.#view.getUint32(at + S_VALUE_LEN, true);
      const start = at + S_KEY + this.#maxKey;
      return { value: this.#u8.slice(start, start + len), cas: this.#view.getUint32(at + S_CAS, true) };
    } finally {
      unlockTable(this.#i32, H_LOCK);
    }
  }

  set(key: Uint8Array | string, value: Uint8Array | string, cas = 0): KvResult {
    const k = toBytes(key);
    const v = toBytes(value);
    if (k.byteLength > this.#maxKey || v.byteLength > this.#maxValue) return KvResult.TooLarge;
    const hash = fnv1a(k);
    lockTable(this.#i32, H_LOCK);
    try {
      let at = this.#find(k, hash);
      if (at >= 0) {
        if (cas !== 0 && cas >>> 0 !== this.#view.getUint32(at + S_CAS, true)) return KvResult.CasMismatch;
      } else {
        at = this.#claim(hash);
        if (at < 0) return KvResult.Full;
        this.#view.setUint32(at + S_HASH, hash, true);
        this.#view.setUint32(at + S_KEY_LEN, k.byteLength, true);
        this.#u8.set(k, at + S_KEY);
        this.#view.setUint32(at + S_STATE, 1, true);
        Atomics.add(this.#i32, H_COUNT, 1);
      }
      this.#u8.set(v, at + S_KEY + this.#maxKey);
      this.#view.setUint32(at + S_VALUE_LEN, v.byteLength, true);
      this.#view.setUint32(at + S_CAS, this.#nextCas(), true);
      return KvResult.Ok;
    } finally {
      unlockTable(this.#i32, H_LOCK);
    }
  }

  /** Offset of the slot holding `key`, or -1. Caller holds the lock. */
  #find(key: Uint8Array, hash: number): number {
    let idx = hash % this.#capacity;
    for (let n = 0; n < this.#capacity; n++) {
      const at = HEADER_BYTES + idx * this.#slotBytes;
      if (this.#view.getUint32(at + S_STATE, true) === 0) return -1;
      if (
        this.#view.getUint32(at + S_HASH, true) === hash &&
        this.#view.getUint32(at + S_KEY_LEN, true) === key.byteLength &&
        this.#keyEquals(at + S_KEY, key)
      ) {
        return at;
      }
      idx = idx + 1 === this.#capacity ? 0 : idx + 1;
    }
    return -1;
  }

  /** Offset of the first empty slot on `hash`'s probe path, or -1 when full. */
  #claim(hash: number): number {
    let idx = hash % this.#capacity;
    for (let n = 0; n < this.#capacity; n++) {
      const at = HEADER_BYTES + idx * this.#slotBytes;
      if (this.#view.getUint32(at + S_STATE, true) === 0) return at;
      idx = idx + 1 === this.#capacity ? 0 : idx + 1;
    }
    return -1;
  }

  #keyEquals(at: number, key: Uint8Array): boolean {
    for (let i = 0; i < key.byteLength; i++) if (this.#u8[at + i] !== key[i]) return false;
    return true;
  }

  /** Never 0 (no check) nor 0xffffffff (CAS_ABSENT): a stamp can match neither. */
  #nextCas(): number {
    let cas = this.#i32[H_NEXT_CAS] as number;
    if (cas === 0 || cas === -1) cas = 1;
    const next = (cas + 1) | 0;
    this.#i32[H_NEXT_CAS] = next === 0 || next === -1 ? 1 : next;
    return cas >>> 0;
  }

}
