import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError, MAX_CONFIG_BYTES, loadConfig, parseConfigText, readConfigText } from '../../../core/config/load.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-load-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseConfigText', () => {
  it('parses YAML and JSON', () => {
    expect(parseConfigText('_format_version: "3.0"\nservices: []\n', 'a.yaml')).toEqual({ ok: true, doc: { _format_version: '3.0', services: [] } });
    expect(parseConfigText('{"_format_version": "3.0", "routes": [{"paths": ["/"]}]}', 'a.json')).toEqual({
      ok: true,
      doc: { _format_version: '3.0', routes: [{ paths: ['/'] }] },
    });
  });

  it('names the file, line and column of a syntax error', () => {
    const r = parseConfigText('_format_version: "3.0"\nservices:\n  - name: a\n   host: b\n', 'conf/gw.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]?.path).toMatch(/^conf\/gw\.yaml:4:\d+$/);
    expect(r.errors[0]?.message).not.toMatch(/\n/);
  });

  it('lets the last of a repeated key win, as Kong\'s lyaml does', () => {
    expect(parseConfigText('a: 1\na: 2\n', 'dup.yaml')).toEqual({ ok: true, doc: { a: 2 } });
    const nested = parseConfigText('s:\n  host: a\n  port: 1\n  host: b\n', 'dup.yaml');
    expect(nested).toEqual({ ok: true, doc: { s: { host: 'b', port: 1 } } });
  });

  it('supports anchors and merge keys but caps alias expansion', () => {
    const good = parseConfigText('base: &b { retries: 1 }\nsvc: { <<: *b, host: h }\n', 'm.yaml');
    expect(good).toEqual({ ok: true, doc: { base: { retries: 1 }, svc: { retries: 1, host: 'h' } } });
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const bomb = parseConfigText(lines.join('\n'), 'bomb.yaml');
    expect(bomb.ok).toBe(false);
  });

  it('refuses text over 16 MiB', () => {
    const r = parseConfigText('#'.repeat(MAX_CONFIG_BYTES + 1), 'big.yaml');
    expect(r).toEqual({ ok: false, errors: [{ path: 'big.yaml', message: expect.stringContaining('16 MiB') }] });
  });
});

describe('readConfigText', () => {
  it('reads a file', async () => {
    const p = join(dir, 'ok.yaml');
    await writeFile(p, '_format_version: "3.0"\n');
    await expect(readConfigText(p)).resolves.toBe('_format_version: "3.0"\n');
  });

  it('refuses a file over 16 MiB before reading it', async () => {
    const p = join(dir, 'huge.yaml');
    await writeFile(p, '');
    await truncate(p, MAX_CONFIG_BYTES + 1);
    await expect(readConfigText(p)).rejects.toThrow(/16 MiB/);
    await expect(readConfigText(p)).rejects.toBeInstanceOf(ConfigFileError);
  });

  it('accepts a file of exactly 16 MiB', async () => {
    const p = join(dir, 'edge.yaml');
    await writeFile(p, '');
    await truncate(p, MAX_CONFIG_BYTES);
    await expect(readConfigText(p)).resolves.toHaveLength(MAX_CONFIG_BYTES);
  });

  it('says when the file is missing or is a directory', async () => {
    await expect(readConfigText(join(dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml: file not found/);
    await expect(readConfigText(dir)).rejects.toThrow(/not a regular file/);
  });
});

describe('loadConfig', () => {
  it('reads, parses and validates', async () => {
    const p = join(dir, 'svc.yaml');
    await writeFile(p, '_format_version: "3.0"\nservices:\n  - url: http://a.internal\n');
    const r = await loadConfig(p);
    expect(r.ok && r.config.services[0]?.host).toBe('a.internal');
  });

  it('returns file, parse and validation problems as errors', async () => {
    const missing = join(dir, 'missing.yaml');
    expect(await loadConfig(missing)).toEqual({ ok: false, errors: [{ path: missing, message: 'file not found' }] });
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'services: [');
    const parsed = await loadConfig(bad);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[0]?.path.startsWith(`${bad}:`)).toBe(true);
    const invalid = join(dir, 'invalid.yaml');
    await writeFile(invalid, 'services: []\n');
    expect(await loadConfig(invalid)).toEqual({ ok: false, errors: [{ path: '_format_version', message: 'required field missing' }] });
  });
});
