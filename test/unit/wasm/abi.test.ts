import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ABI_TABLE } from '../../../core/wasm/abi/constants.js';
import { ALLOWED_FUNCTION_IMPORTS, PROXY_HOSTCALLS } from '../../../core/wasm/abi/import-names.js';
import { decodePairs, encodePairs } from '../../../core/wasm/abi/pairs.js';
import { DEFAULT_WASM_LIMITS, resolveLimits } from '../../../core/wasm/limits.js';
import { HeaderMap } from '../../../core/wasm/header-map.js';

describe('ABI constants', () => {
  it('sdk/assembly/types.ts declares exactly the host table (one source of truth)', async () => {
    const text = await readFile(new URL('../../../sdk/assembly/types.ts', import.meta.url), 'utf8');
    for (const [enumName, members] of Object.entries(ABI_TABLE)) {
      const block = new RegExp(`export enum ${enumName} \\{([^}]*)\\}`).exec(text)?.[1];
      expect(block, enumName).toBeDefined();
      const parsed = Object.fromEntries(
        [...(block ?? '').matchAll(/(\w+)\s*=\s*(\d+)/g)].map((m) => [m[1], Number(m[2])]),
      );
      expect(parsed, enumName).toEqual(members);
    }
  });

  it('every proxy hostcall is on the import allowlist', () => {
    for (const name of PROXY_HOSTCALLS) expect(ALLOWED_FUNCTION_IMPORTS.has(`env.${name}`)).toBe(true);
    expect(ALLOWED_FUNCTION_IMPORTS.has('env.system')).toBe(false);
  });
});

describe('pairs', () => {
  const limits = DEFAULT_WASM_LIMITS;

  it('round-trips in the spec layout', () => {
    const pairs = [[':path', '/a'], ['x-é', 'ü'], ['empty', '']] as const;
    const bytes = encodePairs(pairs, limits) as Uint8Array;
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(0, true)).toBe(3);
    expect(view.getUint32(4, true)).toBe(5); // ':path'
    expect(view.getUint32(8, true)).toBe(2); // '/a'
    expect(new TextDecoder().decode(bytes.subarray(28, 34))).toBe(':path\u0000');
    expect(decodePairs(bytes, limits)).toEqual(pairs.map((p) => [...p]));
  });

  it('refuses malformed input and maps over the caps', () => {
    expect(decodePairs(Uint8Array.of(1, 0, 0), limits)).toBeNull();
    expect(decodePairs(Uint8Array.of(2, 0, 0, 0, 1, 0, 0, 0), limits)).toBeNull();
    const ok = encodePairs([['a', 'b']], limits) as Uint8Array;
    const noNul = ok.slice();
    noNul[noNul.length - 1] = 0x41;
    expect(decodePairs(noNul, limits)).toBeNull();
    const tight = resolveLimits({ maxHeaderPairs: 1 });
    expect(encodePairs([['a', 'b'], ['c', 'd']], tight)).toBeNull();
    expect(decodePairs(encodePairs([['a', 'b'], ['c', 'd']], limits) as Uint8Array, tight)).toBeNull();
    expect(decodePairs(new Uint8Array(0), limits)).toEqual([]);
  });
});

describe('limits', () => {
  it('merges overrides and rejects bad values', () => {
    expect(resolveLimits({ memoryPages: 32 }).memoryPages).toBe(32);
    expect(resolveLimits(undefined)).toBe(DEFAULT_WASM_LIMITS);
    expect(DEFAULT_WASM_LIMITS.memoryPages * 65536).toBe(16 * 1024 * 1024);
    expect(() => resolveLimits({ memoryPages: 0 })).toThrow(/positive integer/);
    expect(() => resolveLimits({ memoryPages: 70_000 })).toThrow(/at most/);
    expect(() => resolveLimits({ nope: 1 } as never)).toThrow(/unknown wasm limit/);
  });
});

describe('HeaderMap', () => {
  it('lower-cases names, keeps order and repeats, replaces like setCopy', () => {
    const m = new HeaderMap([['X-A', '1'], ['x-a', '2'], ['b', '3']]);
    expect(m.get('x-a')).toBe('1');
    expect(m.getAll('X-A')).toEqual(['1', '2']);
    m.replace('x-a', '9');
    expect(m.pairs()).toEqual([['x-a', '9'], ['b', '3']]);
    m.replace('new', 'n');
    expect(m.remove('b')).toBe(1);
    expect(m.toRecord()).toEqual({ 'x-a': '9', new: 'n' });
  });

  it('keeps pseudo-headers in front, wherever they are added', () => {
    const m = new HeaderMap([['a', '1'], [':path', '/x'], ['b', '2']]);
    m.add(':method', 'GET');
    expect(m.pairs()).toEqual([[':path', '/x'], [':method', 'GET'], ['a', '1'], ['b', '2']]);
    expect(m.size).toBe(4);
    expect([m.nameAt(1), m.valueAt(1), m.nameAt(2), m.valueAt(3)]).toEqual([':method', 'GET', 'a', '2']);
  });

  it('over(): lies over the owner\'s array, writing every change through (setPairs included)', () => {
    const flat = ['host', 'h', 'x-a', '1', 'x-a', '2', 'y', '3'];
    const m = HeaderMap.over(flat, [':path', '/p']);
    expect(m.get('X-A')).toBe('1');
    m.replace('x-a', '9');
    m.add('Z', 'z');
    m.remove('y');
    m.replace(':path', '/q');
    expect(flat).toEqual(['host', 'h', 'x-a', '9', 'z', 'z']);
    expect(m.get(':path')).toBe('/q');
    m.setPairs([[':path', '/r'], ['only', '1']]);
    expect(flat).toEqual(['only', '1']);
    expect(m.pairs()).toEqual([[':path', '/r'], ['only', '1']]);
  });
});
