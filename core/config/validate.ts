/**
 * validateConfig: the reader's preparation (prepare.ts: nulls as unset, deck defaults),
 * JSON Schema (ajv, allErrors), then the semantic pass in normalize.ts. Either every
 * error is returned or a complete NormalizedConfig is — never a partial config. The
 * schema and its ajv validator are built once, on first use.
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { RawDocument } from './document-types.js';
import type { ConfigResult } from './types.js';
import { normalize } from './normalize.js';
import { prepareDocument } from './prepare.js';
import { reportAjvErrors } from './schema-errors.js';
import { documentSchema } from './schema/document.js';
import { REFUSED_KEYWORD } from './schema/typedefs.js';

let compiledSchema: { schema: Record<string, unknown>; validate: ValidateFunction } | null = null;

function compiled(): { schema: Record<string, unknown>; validate: ValidateFunction } {
  if (compiledSchema === null) {
    const schema = documentSchema();
    // verbose: errors carry their value and schema, for REFUSED_KEYWORD messages.
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    ajv.addKeyword(REFUSED_KEYWORD);
    compiledSchema = { schema, validate: ajv.compile(schema) };
  }
  return compiledSchema;
}

export function validateConfig(input: unknown): ConfigResult {
  const { schema, validate } = compiled();
  const raw = prepareDocument(input, schema);
  const report = validate(raw) ? { errors: [], badEntities: new Set<string>() } : reportAjvErrors(validate.errors ?? []);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: report.errors.length > 0 ? report.errors : [{ path: '', message: 'must be object' }] };
  }
  const result = normalize(raw as RawDocument, report.badEntities);
  const errors = [...report.errors, ...result.errors];
  return errors.length === 0 ? { ok: true, config: result.config } : { ok: false, errors };
}
