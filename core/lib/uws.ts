/**
 * Loads uWebSockets.js's native binary directly.
 *
 * The package's own entry silently falls back to a slow pure-JS server when its binary
 * fails to load (wrong Node ABI, wrong libc). A gateway must never run on that fallback
 * unnoticed, so we require the binary for this platform/arch/ABI ourselves and turn any
 * failure into a startup error naming the file.
 */
import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';

export type UwsModule = typeof Uws;

let loaded: UwsModule | null = null;

export function loadUws(): UwsModule {
  if (loaded !== null) return loaded;
  const require = createRequire(import.meta.url);
  const file = `uWebSockets.js/binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  try {
    loaded = require(file) as UwsModule;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `cannot load the uWebSockets.js native binary ${file} (Node ${process.version}): ${reason}. ` +
        'Gatehouse refuses to run on the pure-JS fallback.',
    );
  }
  return loaded;
}
