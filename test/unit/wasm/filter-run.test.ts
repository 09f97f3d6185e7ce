/**
 * FilterRun's view of what a chain does with a request, read from the callbacks each
 * filter's module runs (the SDK's build-time mask): whether it may see the upstream
 * response decides if the pipeline runs the response phases at all (a chain that cannot
 * see it gets the plain exchange, core/worker/pipeline.ts).
 */
import { describe, expect, it } from 'vitest';
import { SharedKv } from '../../../core/shared/kv.js';
import { FilterRun } from '../../../core/wasm/filter.js';
import { SimpleHostRequest } from '../../../core/wasm/host-request.js';
import { WasmInstance } from '../../../core/wasm/instance.js';
import { DEFAULT_WASM_LIMITS } from '../../../core/wasm/limits.js';
import { WasmMetrics } from '../../../core/wasm/metrics.js';
import { prepareModuleSync } from '../../../core/wasm/prepare/prepare.js';
import { buildWasm } from '../../helpers/wasm-build.js';

async function instance(entryTs: string, name: string): Promise<WasmInstance> {
  const limits = DEFAULT_WASM_LIMITS;
  const prepared = prepareModuleSync({ wasm: await buildWasm(entryTs), memoryPages: limits.memoryPages, fuel: limits.fuelPerCallback });
  return new WasmInstance(prepared, { name, config: null, limits, kv: SharedKv.create(), metrics: new WasmMetrics() });
}

function runOf(chain: readonly WasmInstance[]): FilterRun {
  const run = new FilterRun(chain, new SimpleHostRequest({ path: '/x' }));
  run.finish();
  return run;
}

describe('FilterRun', () => {
  it('knows whether any filter of the chain may see the upstream response', async () => {
    // Request headers only (the noop plugin's one overridden callback).
    const noop = await instance('wasm-plugins/noop/assembly/index.ts', 'noop');
    // Request and response headers.
    const headers = await instance('wasm-plugins/example-headers/assembly/index.ts', 'example-headers');
    // A response body callback and proxy_on_log.
    const callbacks = await instance('test/fixtures/wasm/assembly/callbacks.ts', 'callbacks');
    // proxy_on_log alone (it reads the response there).
    const logOnly = await instance('test/fixtures/wasm/assembly/log-response.ts', 'log-response');
    // No mask: every callback runs, proxy_on_log and proxy_on_done included.
    const unmasked = await instance('test/fixtures/wasm/assembly/callbacks-alias.ts', 'alias');

    const alone = runOf([noop]);
    expect(alone.filtersResponse).toBe(false);
    expect(alone.filtersResponseBody).toBe(false);
    expect(runOf([headers]).filtersResponse).toBe(true);
    expect(runOf([callbacks]).filtersResponse).toBe(true);
    expect(runOf([callbacks]).filtersResponseBody).toBe(true);
    expect(runOf([logOnly]).filtersResponse).toBe(true);
    expect(runOf([logOnly]).filtersResponseBody).toBe(false);
    expect(runOf([unmasked]).filtersResponse).toBe(true);
    // One filter that may see the response is enough for the chain.
    expect(runOf([noop, headers]).filtersResponse).toBe(true);
  });
});
