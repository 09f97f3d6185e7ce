/**
 * uWS (uSockets) reads certificates and keys from files only (`key_file_name`,
 * `cert_file_name`), synchronously, while it builds an SSL context. So PEMs from the
 * config are written to a private temp dir (0700, files 0600), the context is built,
 * and the dir is removed at once: private keys stay on disk only for that moment, and
 * nothing is left behind when the worker exits or dies.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompiledPemPair } from '../compile/types.js';

export interface PemPaths {
  cert_file_name: string;
  key_file_name: string;
}

/** Calls `use` with file paths for each pair; the files are gone when it returns or throws. */
export function withPemFiles<T>(pairs: readonly CompiledPemPair[], use: (paths: PemPaths[]) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
  try {
    const paths = pairs.map((pair, i) => {
      const cert = join(dir, `${i}.crt`);
      const key = join(dir, `${i}.key`);
      writeFileSync(cert, pair.cert, { mode: 0o600 });
      writeFileSync(key, pair.key, { mode: 0o600 });
      return { cert_file_name: cert, key_file_name: key };
    });
    return use(paths);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
