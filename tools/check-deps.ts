/**
 * Enforces the import-direction rules of STYLE.md over core/ (run by `npm test`):
 *
 *   1. core/lib/** imports nothing else from core/.
 *   2. core/config/** imports only core/config and core/lib.
 *   3. compile-side files (core/compile/**, core/<domain>/compile.ts, native plugin
 *      schemas) never import worker-side files.
 *   4. core/snapshot/** imports only compile/types (type-only) and lib.
 *   5. worker-side files never import core/config/** or any compile-side file (a plugin's
 *      handler may import its own definition's types).
 *   6. core/supervisor/** and core/admin/** never import worker internals
 *      (core/worker/types.ts, the message contract, is allowed).
 *   7. core/ never imports bench/, tools/ or test/.
 *   8. no cycle between core's folders through imports that load code.
 *
 * Prints each violation as `file: imports target (rule N)` and exits 1 when any exist.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC_RE = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
}

/** Every relative import in `core/`, as repo-relative paths with `.ts` endings. */
export function collectEdges(root: string): ImportEdge[] {
  const files: string[] = [];
  walk(join(root, 'core'), files);
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const from = relative(root, file).split(sep).join('/');
    const add = (spec: string, typeOnly: boolean): void => {
      if (!spec.startsWith('.')) return;
      const target = relative(root, resolve(dirname(file), spec)).split(sep).join('/').replace(/\.js$/, '.ts');
      edges.push({ from, to: target, typeOnly });
    };
    for (const m of text.matchAll(IMPORT_RE)) add(m[3] as string, m[2] !== undefined);
    for (const m of text.matchAll(DYNAMIC_RE)) add(m[1] as string, false);
  }
  return edges;
}

function isCompileSide(path: string): boolean {
  return (
    path.startsWith('core/compile/') ||
    /^core\/[^/]+\/compile\.ts$/.test(path) ||
    path === 'core/plugins/definitions.ts' ||
    /^core\/plugins\/[^/]+\/(definition|schema|ai-definitions)\.ts$/.test(path)
  );
}

function isWorkerSide(path: string): boolean {
  if (path === 'core/proxy/health/active.ts' || path === 'core/proxy/compile.ts') return false;
  return (
    path.startsWith('core/worker/') ||
    path === 'core/router/match.ts' ||
    path === 'core/router/normalize-path.ts' ||
    path === 'core/router/upstream-path.ts' ||
    path === 'core/plugins/chain.ts' ||
    path === 'core/plugins/handlers.ts' ||
    path === 'core/plugins/response-head.ts' ||
    /^core\/plugins\/[^/]+\/handler\.ts$/.test(path) ||
    path.startsWith('core/proxy/') ||
    path.startsWith('core/wasm/abi/') ||
    path === 'core/wasm/instance.ts' ||
    path === 'core/wasm/filter.ts'
  );
}

export function violations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  const flag = (e: ImportEdge, rule: number): void => {
    out.push(`${e.from}: imports ${e.to} (rule ${rule})`);
  };
  for (const e of edges) {
    const { from, to } = e;
    if (!to.startsWith('core/')) {
      flag(e, 7);
      continue;
    }
    if (from.startsWith('core/lib/') && !to.startsWith('core/lib/')) flag(e, 1);
    if (from.startsWith('core/config/') && !to.startsWith('core/config/') && !to.startsWith('core/lib/')) flag(e, 2);
    if (isCompileSide(from) && isWorkerSide(to)) flag(e, 3);
    if (from.startsWith('core/snapshot/')) {
      const ok = to.startsWith('core/snapshot/') || to.startsWith('core/lib/') || (to === 'core/compile/types.ts' && e.typeOnly);
      if (!ok) flag(e, 4);
    }
    if (isWorkerSide(from) && (to.startsWith('core/config/') || isCompileSide(to))) {
      // The compiled contract may be imported for its types only; so may a plugin's own
      // definition (its compiled config type is the contract between the folder's two sides).
      const ownDefinition = e.typeOnly && /^core\/plugins\/[^/]+\/definition\.ts$/.test(to) && dirname(to) === dirname(from);
      if (!(to === 'core/compile/types.ts' && e.typeOnly) && !ownDefinition) flag(e, 5);
    }
    if ((from.startsWith('core/supervisor/') || from.startsWith('core/admin/')) && to.startsWith('core/worker/') && to !== 'core/worker/types.ts') {
      flag(e, 6);
    }
  }
  return out;
}

/** `core/<domain>` of a core path. */
function folderOf(path: string): string {
  return path.split('/').slice(0, 2).join('/');
}

/**
 * Rule 8: no cycle between core's folders through imports that load code (type-only
 * imports are erased). Each cycle is reported once, as `a -> b -> … -> a` with one import
 * that makes each step.
 */
export function folderCycles(edges: readonly ImportEdge[]): string[] {
  const graph = new Map<string, Map<string, string>>();
  for (const e of edges) {
    if (e.typeOnly || !e.to.startsWith('core/')) continue;
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b) continue;
    let out = graph.get(a);
    if (out === undefined) graph.set(a, (out = new Map()));
    if (!out.has(b)) out.set(b, `${e.from} -> ${e.to}`);
  }
  // Tarjan's strongly connected components; a component of two or more folders is a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length < 2) return;
    const members = new Set(component);
    const steps = component.sort().flatMap((a) => [...(graph.get(a) ?? [])].filter(([b]) => members.has(b)).map(([, via]) => via));
    found.push(`cycle between ${component.join(', ')} (rule 8): ${steps.join('; ')}`);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

function main(): number {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const edges = collectEdges(root);
  const found = [...violations(edges), ...folderCycles(edges)];
  for (const line of found) process.stderr.write(`check-deps: ${line}\n`);
  if (found.length > 0) return 1;
  process.stdout.write('check-deps: import directions OK\n');
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exit(main());
}
