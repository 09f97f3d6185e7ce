/** The built (dist/) copy of a core module, as a URL a worker thread can import. The test setup requires dist/. */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');

/** `path`: the source path under the repo, e.g. `core/shared/kv.ts`. */
export function builtModuleUrl(path: string): string {
  return pathToFileURL(join(ROOT, 'dist', path.replace(/\.ts$/, '.js'))).href;
}
