import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { checkModuleInterface, ModuleCheckError } from '../../../core/wasm/prepare/imports-check.js';
import { FUEL_GET_EXPORT, FUEL_SET_EXPORT, instrumentModule } from '../../../core/wasm/prepare/instrument.js';
import { capMemory } from '../../../core/wasm/prepare/memory-cap.js';
import { contentHash, prepareModuleSync } from '../../../core/wasm/prepare/prepare.js';
import { watGuest } from '../../fixtures/wasm/wat-guest.js';

function wat(text: string): Uint8Array {
  const m = binaryen.parseText(text);
  try {
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

const compile = (bytes: Uint8Array): WebAssembly.Module => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);

describe('checkModuleInterface', () => {
  it('accepts a proxy-wasm module and reports its ABI version, allocator and initializer', () => {
    const iface = checkModuleInterface(compile(watGuest()));
    expect(iface).toMatchObject({ abiVersion: '0.2.1', allocator: 'malloc', importsMemory: false, initializer: null });
    expect(checkModuleInterface(compile(watGuest({ abiExport: 'proxy_abi_version_0_2_0', allocatorName: 'proxy_on_memory_allocate' })))).toMatchObject({
      abiVersion: '0.2.0',
      allocator: 'proxy_on_memory_allocate',
    });
  });

  it('lists every problem: forbidden imports by name, missing ABI marker, context callback, memory, allocator', () => {
    const bytes = wat(`(module
      (import "env" "system" (func (param i32)))
      (import "wasi_snapshot_preview1" "sock_open" (func))
      (import "env" "table" (table 1 funcref))
      (import "env" "g" (global i32)))`);
    try {
      checkModuleInterface(compile(bytes));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ModuleCheckError);
      const problems = (err as ModuleCheckError).problems.join('\n');
      expect(problems).toContain('forbidden import "env.system" (function)');
      expect(problems).toContain('forbidden import "wasi_snapshot_preview1.sock_open" (function)');
      expect(problems).toContain('forbidden import "env.table" (table)');
      expect(problems).toContain('forbidden import "env.g" (global)');
      expect(problems).toContain('missing ABI version export');
      expect(problems).toContain('missing export "proxy_on_context_create"');
      expect(problems).toContain('missing export "memory"');
      expect(problems).toContain('missing allocator export');
    }
  });

  it('allows the WASI subset under both module names, the AssemblyScript imports and env.memory', () => {
    const imports = ['fd_write', 'proc_exit'].flatMap((n) => [
      `(import "wasi_snapshot_preview1" "${n}" (func $a_${n} (param i32)))`,
      `(import "wasi_unstable" "${n}" (func $b_${n} (param i32)))`,
    ]);
    const bytes = wat(`(module ${imports.join(' ')}
      (import "env" "abort" (func (param i32 i32 i32 i32)))
      (import "env" "memory" (memory 1))
      (func (export "proxy_abi_version_0_2_1")) (func (export "proxy_on_context_create") (param i32 i32))
      (func (export "malloc") (param i32) (result i32) (i32.const 0)))`);
    expect(checkModuleInterface(compile(bytes)).importsMemory).toBe(true);
  });
});

describe('instrumentModule', () => {
  const counter = wat(`(module (memory (export "memory") 1)
    (func (export "spin") (param $n i32) (local $i i32)
      (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (local.get $n))))))`);

  function load(bytes: Uint8Array): { spin: (n: number) => void; set: (n: number) => void; left: () => number } {
    const inst = new WebAssembly.Instance(compile(bytes), {});
    const e = inst.exports as Record<string, CallableFunction>;
    return { spin: e['spin'] as (n: number) => void, set: e[FUEL_SET_EXPORT] as (n: number) => void, left: e[FUEL_GET_EXPORT] as () => number };
  }

  it('charges fuel at function entry and every loop iteration, and traps at zero', () => {
    const g = load(instrumentModule(counter, { memoryPages: 16, startFuel: 0 }));
    g.set(1000);
    g.spin(10);
    const used = 1000 - g.left();
    expect(used).toBeGreaterThanOrEqual(10);
    expect(used).toBeLessThan(20);
    g.set(1000);
    expect(() => g.spin(100_000)).toThrow(WebAssembly.RuntimeError);
    expect(g.left()).toBeLessThan(0);
  });

  it('refuses a module that already defines the fuel exports', () => {
    const once = instrumentModule(counter, { memoryPages: 16, startFuel: 0 });
    expect(() => instrumentModule(once, { memoryPages: 16, startFuel: 0 })).toThrow(/already defines/);
  });

  it('lets a start section run on the start fuel, and stops an endless one', () => {
    const endless = wat('(module (memory (export "memory") 1) (func $s (loop $l (br $l))) (start $s))');
    const bytes = instrumentModule(endless, { memoryPages: 16, startFuel: 10_000 });
    expect(() => new WebAssembly.Instance(compile(bytes), {})).toThrow(WebAssembly.RuntimeError);
  });
});

describe('capMemory', () => {
  const maxOf = (bytes: Uint8Array): number | undefined => {
    const inst = new WebAssembly.Instance(compile(bytes), {});
    const mem = inst.exports['memory'] as WebAssembly.Memory;
    // From JS, growing past the maximum throws RangeError (inside wasm, memory.grow returns -1).
    for (;;) {
      try {
        mem.grow(1);
      } catch {
        return mem.buffer.byteLength / 65536;
      }
    }
  };

  it('writes a maximum into a memory that has none, and lowers a larger one', () => {
    expect(maxOf(capMemory(wat('(module (memory (export "memory") 1))'), 5))).toBe(5);
    expect(maxOf(capMemory(wat('(module (memory (export "memory") 1 1000))'), 7))).toBe(7);
    expect(maxOf(capMemory(wat('(module (memory (export "memory") 1 3))'), 7))).toBe(3);
  });

  it('caps an imported memory', () => {
    const bytes = capMemory(wat('(module (import "env" "memory" (memory 1)) (func (export "f")))'), 4);
    const desc = WebAssembly.Module.imports(compile(bytes))[0];
    expect(desc?.kind).toBe('memory');
    // A memory larger than the declared maximum no longer links.
    expect(() => new WebAssembly.Instance(compile(bytes), { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 100 }) } })).toThrow();
    expect(() => new WebAssembly.Instance(compile(bytes), { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 4 }) } })).not.toThrow();
  });

  it('refuses a module whose initial memory is over the cap', () => {
    expect(() => capMemory(wat('(module (memory 10))'), 4)).toThrow(/10 initial memory pages, over the cap of 4/);
  });
});

describe('prepareModuleSync', () => {
  it('validates, instruments and hashes; the hash depends on the bytes and the caps', () => {
    const wasm = watGuest();
    const p = prepareModuleSync({ wasm, memoryPages: 8, fuel: 1000 });
    expect(p.abiVersion).toBe('0.2.1');
    expect(p.hash).toBe(contentHash(wasm, 8, 1000));
    expect(p.hash).not.toBe(contentHash(wasm, 9, 1000));
    expect(WebAssembly.Module.exports(compile(p.bytes)).map((e) => e.name)).toContain(FUEL_SET_EXPORT);
  });

  it('reports bytes that are not wasm', () => {
    expect(() => prepareModuleSync({ wasm: new Uint8Array([1, 2, 3]), memoryPages: 8, fuel: 1 })).toThrow(/invalid wasm module/);
  });
});
