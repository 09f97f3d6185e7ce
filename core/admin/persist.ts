/**
 * Writing the declarative document an admin change produced, so a restart on that file
 * loses nothing. Atomic: write a temp file in the same directory, fsync, rename over the
 * target — a crash leaves either the old file or the new one, never half of one.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';

export function documentYaml(doc: unknown): string {
  return stringify(doc, { version: '1.2', lineWidth: 0, aliasDuplicateObjects: false });
}

export async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
