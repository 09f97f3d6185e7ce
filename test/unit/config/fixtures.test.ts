/**
 * Golden configs: every `<case>.yaml` in test/fixtures/configs either loads cleanly
 * (no `<case>.errors.json` next to it) or fails with exactly the listed errors, in order.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { parseConfigText } from '../../../core/config/load.js';
import { validateConfig } from '../../../core/config/validate.js';

const dir = new URL('../../fixtures/configs/', import.meta.url);
const cases = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

function run(file: string): string[] | 'OK' {
  const parsed = parseConfigText(readFileSync(new URL(file, dir), 'utf8'), file);
  const result = parsed.ok ? validateConfig(parsed.doc) : parsed;
  return result.ok ? 'OK' : result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('golden config fixtures', () => {
  it('has both valid and invalid cases, and no orphan .errors.json', () => {
    const goldens = readdirSync(dir).filter((f) => f.endsWith('.errors.json'));
    expect(goldens.length).toBeGreaterThan(5);
    expect(cases.length).toBeGreaterThan(goldens.length);
    for (const g of goldens) expect(cases).toContain(g.replace(/\.errors\.json$/, '.yaml'));
  });

  for (const file of cases) {
    const golden = new URL(file.replace(/\.yaml$/, '.errors.json'), dir);
    if (existsSync(golden)) {
      it(`${file} fails with exactly the golden errors`, () => {
        const expected = JSON.parse(readFileSync(golden, 'utf8')) as string[];
        expect(expected.length).toBeGreaterThan(0);
        expect(run(file)).toEqual(expected);
      });
    } else {
      it(`${file} is valid`, () => {
        expect(run(file)).toBe('OK');
      });
    }
  }
});
