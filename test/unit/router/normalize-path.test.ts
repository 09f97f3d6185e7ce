import { describe, expect, it } from 'vitest';
import { normalizePath } from '../../../core/router/normalize-path.js';

describe('normalizePath', () => {
  it('returns the very same string when nothing needs changing', () => {
    for (const p of ['/', '/a/b/c', '/file.txt', '/a/.hidden', '/a/..b', '/a/b./c', '/~user/x-y_z']) {
      expect(normalizePath(p)).toBe(p);
    }
  });

  it.each([
    ['/%61%62c', '/abc'],
    ['/%7euser/%2D%2e%5F', '/~user/-._'],
    ['/a%2fb', '/a%2Fb'],
    ['/a%2Fb', '/a%2Fb'],
    ['/sp%20ace', '/sp%20ace'],
    ['/q%3f', '/q%3F'],
    ['/%e2%82%ac', '/%E2%82%AC'],
  ])('decodes only unreserved escapes: %s -> %s', (raw, want) => {
    expect(normalizePath(raw)).toBe(want);
  });

  it.each([
    ['/a/./b', '/a/b'],
    ['/a/../b', '/b'],
    ['/a/b/..', '/a/'],
    ['/a/b/.', '/a/b/'],
    ['/..', '/'],
    ['/../../x', '/x'],
    ['/.', '/'],
    ['/a/b/../../..', '/'],
    ['/a/%2e%2E/b', '/b'],
    ['/a/%2e/b', '/a/b'],
  ])('resolves dot segments: %s -> %s', (raw, want) => {
    expect(normalizePath(raw)).toBe(want);
  });

  it.each([
    ['//a', '/a'],
    ['/a//b///c', '/a/b/c'],
    ['/a//', '/a/'],
    // Kong merges a `//` before it resolves the `..` after it: no empty segment is popped.
    ['/a//../b', '/b'],
    ['/a/b//..', '/a/'],
  ])('merges duplicate slashes: %s -> %s', (raw, want) => {
    expect(normalizePath(raw)).toBe(want);
  });

  it.each(['', 'a/b', '*', '/a%', '/a%4', '/a%zz', '/a%4g/b', '/a b', '/a\tb', '/a\u007f'])(
    'rejects %j',
    (raw) => {
      expect(normalizePath(raw)).toBeNull();
    },
  );
});
