import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { collectEdges, folderCycles, violations, type ImportEdge } from '../../../tools/check-deps.js';

const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, typeOnly });

describe('check-deps: import-direction rules', () => {
  it('the real tree has no violations', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const edges = collectEdges(root);
    expect(edges.length).toBeGreaterThan(20);
    expect(violations(edges)).toEqual([]);
    expect(folderCycles(edges)).toEqual([]);
  });

  it('flags a cycle between folders through value imports, not through type-only ones', () => {
    const cycle = [edge('core/ai/exchange.ts', 'core/plugins/chain.ts'), edge('core/plugins/ai-proxy/handler.ts', 'core/ai/exchange.ts')];
    expect(folderCycles(cycle)).toEqual(['cycle between core/ai, core/plugins (rule 8): core/ai/exchange.ts -> core/plugins/chain.ts; core/plugins/ai-proxy/handler.ts -> core/ai/exchange.ts']);
    expect(folderCycles([edge('core/ai/exchange.ts', 'core/plugins/chain.ts', true), cycle[1] as ImportEdge])).toEqual([]);
  });

  const cases: [string, ImportEdge, number][] = [
    ['lib imports core', edge('core/lib/errors.ts', 'core/config/types.ts'), 1],
    ['config imports router', edge('core/config/validate.ts', 'core/router/compile.ts'), 2],
    ['compile imports the worker', edge('core/router/compile.ts', 'core/worker/runtime.ts'), 3],
    ['snapshot imports compile value', edge('core/snapshot/publish.ts', 'core/compile/index.ts'), 4],
    ['snapshot imports compile/types by value', edge('core/snapshot/publish.ts', 'core/compile/types.ts', false), 4],
    ['worker imports config', edge('core/worker/pipeline.ts', 'core/config/types.ts', true), 5],
    ['worker imports a compile.ts', edge('core/proxy/upstream.ts', 'core/router/compile.ts'), 5],
    ['supervisor imports worker internals', edge('core/supervisor/main.ts', 'core/worker/pipeline.ts'), 6],
    ['core imports bench', edge('core/worker/main.ts', 'bench/upstreams/echo.ts'), 7],
  ];
  for (const [name, e, rule] of cases) {
    it(`flags: ${name} (rule ${rule})`, () => {
      expect(violations([e])).toEqual([`${e.from}: imports ${e.to} (rule ${rule})`]);
    });
  }

  it('allows type-only compile/types in workers and snapshot, and worker/types in the supervisor', () => {
    expect(
      violations([
        edge('core/worker/runtime.ts', 'core/compile/types.ts', true),
        edge('core/snapshot/subscribe.ts', 'core/compile/types.ts', true),
        edge('core/supervisor/main.ts', 'core/worker/types.ts', true),
      ]),
    ).toEqual([]);
  });
});
