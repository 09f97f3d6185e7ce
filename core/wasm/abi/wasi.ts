/**
 * The small WASI subset proxy-wasm SDKs import (Rust and TinyGo std, Envoy provides the
 * same set), plus the AssemblyScript runtime's `env.abort/seed/trace`. stdout goes to the
 * filter's log at info, stderr at error; there is no filesystem, no environment and no
 * arguments. `proc_exit` and `abort` unwind the guest with GuestAbort (a fault).
 */
import { randomFillSync } from 'node:crypto';
import { LogLevel } from './constants.js';
import { WASI_FUNCTIONS, WASI_MODULES } from './import-names.js';
import { GuestAbort } from '../faults.js';
import type { GuestMemory } from '../memory.js';

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_FAULT = 21;
const ERRNO_INVAL = 28;

/** The slice of the host the WASI shims need. */
export interface WasiHost {
  readonly memory: GuestMemory;
  log(level: LogLevel, message: string): void;
  nowNanoseconds(): bigint;
}

type WasiFn = (...args: never[]) => number | void;

function wasiFunctions(host: WasiHost): Record<(typeof WASI_FUNCTIONS)[number], WasiFn> {
  const zeroPair = (a: number, b: number): number =>
    host.memory.writeU32(a, 0) && host.memory.writeU32(b, 0) ? ERRNO_SUCCESS : ERRNO_FAULT;
  return {
    fd_write(fd: number, iovs: number, iovsLen: number, nwritten: number): number {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      const mem = host.memory;
      let text = '';
      let total = 0;
      for (let i = 0; i < iovsLen >>> 0; i++) {
        const buf = mem.u32(iovs + i * 8);
        const len = mem.u32(iovs + i * 8 + 4);
        if (buf === null || len === null) return ERRNO_FAULT;
        const s = mem.string(buf, len);
        if (s === null) return ERRNO_FAULT;
        text += s;
        total += len;
      }
      if (!mem.writeU32(nwritten, total)) return ERRNO_FAULT;
      const line = text.endsWith('\n') ? text.slice(0, -1) : text;
      if (line.length > 0) host.log(fd === 1 ? LogLevel.Info : LogLevel.Error, line);
      return ERRNO_SUCCESS;
    },
    clock_time_get(id: number, _precision: bigint, out: number): number {
      if (id < 0 || id > 3) return ERRNO_INVAL;
      const now = id === 0 ? host.nowNanoseconds() : process.hrtime.bigint();
      return host.memory.writeU64(out, now) ? ERRNO_SUCCESS : ERRNO_FAULT;
    },
    random_get(buf: number, len: number): number {
      if (!host.memory.inBounds(buf, len)) return ERRNO_FAULT;
      const bytes = new Uint8Array(len >>> 0);
      randomFillSync(bytes);
      host.memory.write(buf, bytes);
      return ERRNO_SUCCESS;
    },
    environ_sizes_get: zeroPair,
    environ_get: () => ERRNO_SUCCESS,
    args_sizes_get: zeroPair,
    args_get: () => ERRNO_SUCCESS,
    proc_exit(code: number): void {
      throw new GuestAbort(`guest called proc_exit(${code})`);
    },
  };
}

/** Import objects for both WASI module names. */
export function createWasiImports(host: WasiHost): Record<string, Record<string, WasiFn>> {
  const fns = wasiFunctions(host);
  const out: Record<string, Record<string, WasiFn>> = {};
  for (const m of WASI_MODULES) out[m] = fns;
  return out;
}

/** AssemblyScript strings are UTF-16 with their byte length stored 4 bytes before the data. */
function readAsString(memory: GuestMemory, ptr: number): string {
  if (ptr === 0) return '';
  const len = memory.u32(ptr - 4);
  if (len === null || len > 4096) return '<unreadable>';
  const bytes = memory.view(ptr, len & ~1);
  if (bytes === null) return '<unreadable>';
  return Buffer.from(bytes).toString('utf16le');
}

/** `env.abort`, `env.seed`, `env.trace` for the AssemblyScript runtime. */
export function createAssemblyScriptImports(host: WasiHost): Record<string, (...args: never[]) => number | void> {
  return {
    abort(msg: number, file: number, line: number, col: number): void {
      const m = readAsString(host.memory, msg);
      const f = readAsString(host.memory, file);
      throw new GuestAbort(`guest aborted: ${m} at ${f}:${line}:${col}`);
    },
    seed(): number {
      const b = new Uint32Array(2);
      randomFillSync(b);
      return (b[0] as number) * 2 ** 21 + ((b[1] as number) >>> 11);
    },
    trace(msg: number, n: number, ...args: number[]): void {
      const text = readAsString(host.memory, msg);
      host.log(LogLevel.Debug, `trace: ${text}${n > 0 ? ` ${args.slice(0, n).join(', ')}` : ''}`);
    },
  };
}
