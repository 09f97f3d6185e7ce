/**
 * The build-time callback mask (sdk/transform/callbacks.ts -> the SDK's
 * gatehouse_http_callbacks export) and the host skipping what no subclass overrides.
 */
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { bindCallbacks, CALLBACKS_EXPORT } from '../../../core/wasm/abi/callbacks.js';
import { FUEL_GET_EXPORT, FUEL_SET_EXPORT } from '../../../core/wasm/abi/import-names.js';
import { createHarness, get } from '../../../sdk/harness/index.js';
import { buildWasm } from '../../helpers/wasm-build.js';

/** The exported mask's value, read from the module (no instantiation needed). */
function exportedMask(wasm: Uint8Array): number | null {
  const module = binaryen.readBinary(wasm);
  try {
    for (let i = 0; i < module.getNumExports(); i++) {
      const info = binaryen.getExportInfo(module.getExportByIndex(i));
      if (info.name !== CALLBACKS_EXPORT) continue;
      const global = binaryen.getGlobalInfo(module.getGlobal(info.value));
      return (binaryen.getExpressionInfo(global.init) as unknown as { value: number }).value >>> 0;
    }
    return null;
  } finally {
    module.dispose();
  }
}

const BIT = { requestHeaders: 1 << 0, responseHeaders: 1 << 3, responseBody: 1 << 4, log: 1 << 6 };

describe('callback mask', () => {
  it('has exactly the callbacks some HttpContext subclass overrides, through a chain of subclasses', async () => {
    expect(exportedMask(await buildWasm('test/fixtures/wasm/assembly/callbacks.ts'))).toBe(BIT.responseBody | BIT.log);
    expect(exportedMask(await buildWasm('wasm-plugins/example-headers/assembly/index.ts'))).toBe(BIT.requestHeaders | BIT.responseHeaders);
  });

  it('falls back to every callback when a base class cannot be named (an aliased import)', async () => {
    expect(exportedMask(await buildWasm('test/fixtures/wasm/assembly/callbacks-alias.ts'))).toBe(0xffffffff);
  });

  it('the callbacks that are overridden still run in the real host', async () => {
    const h = createHarness(await buildWasm('test/fixtures/wasm/assembly/callbacks.ts'), { name: 'callbacks' });
    const r = await h.run({ ...get('/x'), response: { status: 200, body: 'hello' } });
    expect(r.stoppedAt).toBe('completed');
    expect(h.messages()).toEqual(expect.arrayContaining(['response body seen', 'log ran']));
  });

  it('the host binds only the callbacks the mask names; without the export, all of them', () => {
    const fn = (): number => 0;
    const exports = (mask?: number): WebAssembly.Exports => {
      const e: Record<string, unknown> = {
        proxy_on_context_create: fn, proxy_on_request_headers: fn, proxy_on_response_headers: fn, proxy_on_response_body: fn,
        proxy_on_log: fn, proxy_on_done: fn, proxy_on_delete: fn, [FUEL_SET_EXPORT]: fn, [FUEL_GET_EXPORT]: fn,
      };
      if (mask !== undefined) e[CALLBACKS_EXPORT] = new WebAssembly.Global({ value: 'i32', mutable: false }, mask | 0);
      return e as WebAssembly.Exports;
    };
    const masked = bindCallbacks(exports(BIT.responseBody | BIT.log));
    expect(masked.stream.map((f) => f !== null)).toEqual([false, false, false, false, true, false]);
    expect(masked.onLog).not.toBeNull();
    expect(masked.onDone).toBeNull();
    expect(masked.onDelete).not.toBeNull(); // the SDK forgets the context there: always called
    const all = bindCallbacks(exports());
    expect(all.stream.map((f) => f !== null)).toEqual([true, false, false, true, true, false]);
    expect(all.onDone).not.toBeNull();
    // The SDK's unfilled default (-1 as i32) also means everything.
    expect(bindCallbacks(exports(0xffffffff)).stream.map((f) => f !== null)).toEqual([true, false, false, true, true, false]);
  });
});
