/**
 * Helpers for the wasm-through-the-gateway suites: a temp filters directory
 * (`--wasm-filters-path`) holding `<name>.wasm` files, and a parser for the admin
 * `/metrics` text so tests read one series by name and labels.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FiltersDir {
  readonly path: string;
  /** Write (or overwrite) `<name>.wasm`. */
  add(name: string, wasm: Uint8Array): void;
  remove(): void;
}

export function filtersDir(filters: Readonly<Record<string, Uint8Array>> = {}): FiltersDir {
  const path = mkdtempSync(join(tmpdir(), 'gatehouse-wasm-filters-'));
  const dir: FiltersDir = {
    path,
    add: (name, wasm) => writeFileSync(join(path, `${name}.wasm`), wasm),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
  for (const [name, wasm] of Object.entries(filters)) dir.add(name, wasm);
  return dir;
}

/** The admin `/metrics` text. */
export async function metricsText(adminUrl: string): Promise<string> {
  const res = await fetch(`${adminUrl}/metrics`);
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status}`);
  return res.text();
}

/**
 * The value of one series in Prometheus text, 0 when absent. `labels` must all match
 * (other labels on the line are allowed).
 */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m === null || m[1] !== name) continue;
    const labelText = m[2] ?? '';
    const ok = Object.entries(labels).every(([k, v]) => labelText.includes(`${k}=${JSON.stringify(v)}`));
    if (!ok) continue;
    found = true;
    total += Number(m[3]);
  }
  return found ? total : 0;
}
