/** Supervisor side: encode a CompiledConfig into a fresh SharedArrayBuffer. */
import { pack } from 'msgpackr';
import type { CompiledConfig } from '../compile/types.js';
import { CONTROL_SLOTS, CONTROL_VERSION, HEADER_BYTES, SLOT_LENGTH, SLOT_VERSION } from './layout.js';

export function createControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_SLOTS * 4);
}

export function encodeSnapshot(config: CompiledConfig): SharedArrayBuffer {
  const bytes = pack(config);
  const sab = new SharedArrayBuffer(HEADER_BYTES + bytes.byteLength);
  const header = new Int32Array(sab, 0, 2);
  header[SLOT_VERSION] = config.version;
  header[SLOT_LENGTH] = bytes.byteLength;
  new Uint8Array(sab, HEADER_BYTES).set(bytes);
  return sab;
}

/** Marks `version` as the one every worker should run (after its SAB is complete). */
export function publishVersion(control: SharedArrayBuffer, version: number): void {
  const slots = new Int32Array(control);
  Atomics.store(slots, CONTROL_VERSION, version);
  Atomics.notify(slots, CONTROL_VERSION);
}
