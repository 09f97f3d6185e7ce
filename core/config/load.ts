/**
 * Reading and parsing a config file: YAML 1.2 (which also parses JSON). Parse errors
 * name the file, line and column; files over 16 MiB are refused before reading. A key
 * repeated in one mapping is not an error: the last one wins, as with Kong's lyaml.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { ConfigError, ConfigResult } from './types.js';
import { validateConfig } from './validate.js';

export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** Alias expansion cap: stops "billion laughs" documents. */
const MAX_ALIAS_COUNT = 1000;

/** A problem reading the file itself (missing, too large, not a file). */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
}

export async function readConfigText(path: string): Promise<string> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ConfigFileError(`${path}: not a regular file`);
    size = info.size;
  } catch (e) {
    if (e instanceof ConfigFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigFileError(code === 'ENOENT' ? `${path}: file not found` : `${path}: cannot read (${code ?? String(e)})`);
  }
  if (size > MAX_CONFIG_BYTES) {
    throw new ConfigFileError(`${path}: file is ${size} bytes, larger than the ${MAX_CONFIG_BYTES}-byte (16 MiB) limit`);
  }
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigFileError(`${path}: cannot read (${code ?? String(e)})`);
  }
}

export type ParseResult = { ok: true; doc: unknown } | { ok: false; errors: ConfigError[] };

/** Parse YAML or JSON text; `source` (usually the file path) prefixes error locations. */
export function parseConfigText(text: string, source: string): ParseResult {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    return { ok: false, errors: [{ path: source, message: `config is larger than the ${MAX_CONFIG_BYTES}-byte (16 MiB) limit` }] };
  }
  const doc = parseDocument(text, { version: '1.2', uniqueKeys: false, merge: true, prettyErrors: true, strict: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos === undefined ? source : `${source}:${pos.line}:${pos.col}`;
        const first = e.message.split('\n')[0] ?? e.message;
        return { path: where, message: first.replace(/ at line \d+, column \d+:?$/, '') };
      }),
    };
  }
  try {
    return { ok: true, doc: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (e) {
    return { ok: false, errors: [{ path: source, message: e instanceof Error ? e.message : String(e) }] };
  }
}

/** Read + parse + validate. File problems come back as errors, never as throws. */
export async function loadConfig(path: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readConfigText(path);
  } catch (e) {
    if (e instanceof ConfigFileError) return { ok: false, errors: [{ path, message: e.message.slice(path.length + 2) }] };
    throw e;
  }
  const parsed = parseConfigText(text, path);
  if (!parsed.ok) return parsed;
  return validateConfig(parsed.doc);
}
