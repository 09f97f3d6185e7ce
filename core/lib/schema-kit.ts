/**
 * Builders for plugin config schemas (JSON Schema draft-07 for ajv): every record refuses
 * unknown fields and every field carries a description, so `GET /schemas/plugins/{name}`
 * documents what the plugin reads. Kong's typedefs that plugins share live here too.
 */

export type Schema = Record<string, unknown>;

export function record(description: string, properties: Record<string, Schema>, required: readonly string[] = []): Schema {
  const s: Schema = { type: 'object', description, properties, additionalProperties: false };
  if (required.length > 0) s['required'] = [...required];
  return s;
}

export function text(description: string, extra: Schema = {}): Schema {
  return { type: 'string', description, ...extra };
}

/** A string or null (Kong's optional string fields accept null as "unset"). */
export function optionalText(description: string, extra: Schema = {}): Schema {
  return { type: ['string', 'null'], description, default: null, ...extra };
}

export function oneOf(description: string, values: readonly string[], def?: string): Schema {
  const s: Schema = { type: 'string', enum: [...values], description };
  if (def !== undefined) s['default'] = def;
  return s;
}

export function bool(description: string, def: boolean): Schema {
  return { type: 'boolean', description, default: def };
}

export function integer(description: string, min: number, max: number, def?: number): Schema {
  const s: Schema = { type: 'integer', minimum: min, maximum: max, description };
  if (def !== undefined) s['default'] = def;
  return s;
}

export function number(description: string, extra: Schema = {}): Schema {
  return { type: 'number', description, ...extra };
}

export function list(description: string, items: Schema, extra: Schema = {}): Schema {
  return { type: 'array', items, description, ...extra };
}

/** Kong's `typedefs.header_name`: an RFC 9110 token. */
export const HEADER_NAME_PATTERN = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$";

export function headerName(description: string, extra: Schema = {}): Schema {
  return { type: 'string', pattern: HEADER_NAME_PATTERN, description, ...extra };
}

export function oneOfNumbers(description: string, values: readonly number[], def?: number): Schema {
  const s: Schema = { type: 'integer', enum: [...values], description };
  if (def !== undefined) s['default'] = def;
  return s;
}

/** Kong's map of header name -> value (null: none). */
export function headerMap(description: string): Schema {
  return {
    type: ['object', 'null'],
    propertyNames: { pattern: HEADER_NAME_PATTERN },
    additionalProperties: { type: 'string' },
    default: null,
    description,
  };
}
