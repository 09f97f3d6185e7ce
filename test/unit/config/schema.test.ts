import { describe, expect, it } from 'vitest';
import { documentSchema } from '../../../core/config/schema/document.js';

type Node = Record<string, unknown>;

/** Visit every subschema with the JSON-ish path that leads to it. */
function walk(node: unknown, path: string, visit: (n: Node, path: string) => void): void {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
  const n = node as Node;
  visit(n, path);
  const props = n['properties'] as Record<string, unknown> | undefined;
  if (props !== undefined) for (const [k, v] of Object.entries(props)) walk(v, `${path}.${k}`, visit);
  walk(n['items'], `${path}[]`, visit);
  if (typeof n['additionalProperties'] === 'object') walk(n['additionalProperties'], `${path}.*`, visit);
}

describe('document schema', () => {
  it('describes every field', () => {
    const missing: string[] = [];
    walk(documentSchema(), '', (n, path) => {
      if (path !== '' && typeof n['description'] !== 'string') missing.push(path);
    });
    expect(missing).toEqual([]);
  });

  it('rejects unknown fields in every record', () => {
    const open: string[] = [];
    walk(documentSchema(), '', (n, path) => {
      if (n['properties'] !== undefined && n['additionalProperties'] !== false) open.push(path);
    });
    expect(open).toEqual([]);
  });

  it('is draft-07', () => {
    expect(documentSchema()['$schema']).toBe('http://json-schema.org/draft-07/schema#');
  });
});
