/**
 * Compile an AssemblyScript entry to wasm with asc (the root asconfig.json, release
 * target), cached by content hash under node_modules/.cache/gatehouse-wasm/ so suites can
 * call it in beforeAll without paying the compile each run. The hash covers the entry's
 * folder, the SDK sources, asconfig.json and the asc version.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = join(ROOT, 'node_modules/.cache/gatehouse-wasm');

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'build' && entry.name !== 'test') out.push(...(await tsFiles(p)));
    } else if (entry.name.endsWith('.ts')) {
      out.push(p);
    }
  }
  return out.sort();
}

/** The SDK's callback-mask transform, as `gatehouse plugin build` runs it (built by `npm run build`). */
const TRANSFORM = join(ROOT, 'dist/sdk/transform/callbacks.js');

async function sourceHash(entry: string): Promise<string> {
  const hash = createHash('sha256');
  const files = [...(await tsFiles(dirname(entry))), ...(await tsFiles(join(ROOT, 'sdk/assembly')))];
  for (const f of [...new Set(files)]) hash.update(f).update(await readFile(f));
  hash.update(await readFile(join(ROOT, 'asconfig.json')));
  hash.update(await readFile(TRANSFORM));
  hash.update(JSON.parse(await readFile(join(ROOT, 'node_modules/assemblyscript/package.json'), 'utf8')).version as string);
  hash.update(entry);
  return hash.digest('hex').slice(0, 32);
}

/** Compile `entryTs` (absolute, or relative to the repo root) and return the wasm bytes. */
export async function buildWasm(entryTs: string): Promise<Uint8Array> {
  const entry = resolve(ROOT, entryTs);
  const key = await sourceHash(entry);
  const cached = join(CACHE, `${key}.wasm`);
  try {
    return new Uint8Array(await readFile(cached));
  } catch {
    // not cached yet
  }
  await mkdir(CACHE, { recursive: true });
  const asc = (await import('assemblyscript/asc')).default;
  const tmp = `${cached}.${process.pid}.tmp`;
  let stderr = '';
  const { error } = await asc.main(
    [entry, '--config', join(ROOT, 'asconfig.json'), '--target', 'release', '--outFile', tmp, '--transform', TRANSFORM],
    {
      stdout: { write: () => true } as never,
      stderr: { write: (s: string) => ((stderr += s), true) } as never,
    },
  );
  if (error) throw new Error(`asc failed for ${entryTs}: ${error.message}\n${stderr}`);
  await rename(tmp, cached);
  return new Uint8Array(await readFile(cached));
}

