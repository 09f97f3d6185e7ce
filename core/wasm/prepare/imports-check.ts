/**
 * Load-time validation of a guest module's interface: only allowlisted imports
 * (abi/import-names.ts), the exports a proxy-wasm host needs, and an ABI version marker.
 * Errors name the offending import or missing export, so `gatehouse check` can print them.
 */
import {
  ABI_VERSION_EXPORTS,
  type AbiVersion,
} from '../abi/constants.js';
import {
  ALLOCATOR_EXPORTS,
  ALLOWED_FUNCTION_IMPORTS,
  MEMORY_IMPORT,
} from '../abi/import-names.js';

export interface ModuleInterface {
  readonly abiVersion: AbiVersion;
  /** True when the module imports `env.memory` instead of defining its own. */
  readonly importsMemory: boolean;
  /** The allocator export the host will use (`malloc` preferred). */
  readonly allocator: (typeof ALLOCATOR_EXPORTS)[number] | null;
  /** Start function export to run after instantiation, if any. */
  readonly initializer: '_initialize' | '_start' | null;
  readonly exports: readonly string[];
}

export class ModuleCheckError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`wasm module refused: ${problems.join('; ')}`);
    this.name = 'ModuleCheckError';
    this.problems = problems;
  }
}

/** Validate a compiled module's imports and exports; throws ModuleCheckError listing every problem. */
export function checkModuleInterface(module: WebAssembly.Module): ModuleInterface {
  const problems: string[] = [];
  let importsMemory = false;
  for (const imp of WebAssembly.Module.imports(module)) {
    const qualified = `${imp.module}.${imp.name}`;
    if (imp.kind === 'function') {
      if (!ALLOWED_FUNCTION_IMPORTS.has(qualified)) problems.push(`forbidden import "${qualified}" (function)`);
    } else if (imp.kind === 'memory' && imp.module === MEMORY_IMPORT.module && imp.name === MEMORY_IMPORT.name) {
      importsMemory = true;
    } else {
      problems.push(`forbidden import "${qualified}" (${imp.kind})`);
    }
  }

  const exports = new Map<string, string>();
  for (const exp of WebAssembly.Module.exports(module)) exports.set(exp.name, exp.kind);

  let abiVersion: AbiVersion | null = null;
  for (const [name, version] of Object.entries(ABI_VERSION_EXPORTS)) {
    if (exports.get(name) === 'function') {
      abiVersion = version;
      break;
    }
  }
  if (abiVersion === null) {
    problems.push(`missing ABI version export (one of ${Object.keys(ABI_VERSION_EXPORTS).join(', ')})`);
  }
  if (exports.get('proxy_on_context_create') !== 'function') {
    problems.push('missing export "proxy_on_context_create" (function)');
  }
  if (!importsMemory && exports.get('memory') !== 'memory') {
    problems.push('missing export "memory" (memory)');
  }
  const allocator = ALLOCATOR_EXPORTS.find((n) => exports.get(n) === 'function') ?? null;
  if (allocator === null) {
    problems.push(`missing allocator export (one of ${ALLOCATOR_EXPORTS.join(', ')})`);
  }
  const initializer = exports.get('_initialize') === 'function' ? '_initialize' : exports.get('_start') === 'function' ? '_start' : null;

  if (problems.length > 0 || abiVersion === null) throw new ModuleCheckError(problems);
  return { abiVersion, importsMemory, allocator, initializer, exports: [...exports.keys()] };
}
