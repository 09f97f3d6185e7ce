/**
 * validateConfig: JSON Schema first (ajv, allErrors), then the semantic pass in
 * normalize.ts. Either every error is returned or a complete NormalizedConfig is —
 * never a partial config. The ajv validator is compiled once, on first use.
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { RawDocument } from './document-types.js';
import type { ConfigResult } from './types.js';
import { normalize } from './normalize.js';
import { reportAjvErrors } from './schema-errors.js';
import { documentSchema } from './schema/document.js';

let validator: ValidateFunction | null = null;

function compiled(): ValidateFunction {
  if (validator === null) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    validator = ajv.compile(documentSchema());
  }
  return validator;
}

export function validateConfig(raw: unknown): ConfigResult {
  const validate = compiled();
  const report = validate(raw) ? { errors: [], badEntities: new Set<string>() } : reportAjvErrors(validate.errors ?? []);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: report.errors.length > 0 ? report.errors : [{ path: '', message: 'must be object' }] };
  }
  const result = normalize(raw as RawDocument, report.badEntities);
  const errors = [...report.errors, ...result.errors];
  return errors.length === 0 ? { ok: true, config: result.config } : { ok: false, errors };
}
