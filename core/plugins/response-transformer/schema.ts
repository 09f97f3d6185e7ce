/** response-transformer's config (Kong 3.x fields and defaults); the entries are checked in definition.ts with Kong's wording. */
import { list, oneOf, record, text, type Schema } from '../../lib/schema-kit.js';

export const JSON_TYPES = ['boolean', 'number', 'string'] as const;

function section(what: string, pairs: boolean, types: boolean): Schema {
  const item = text(pairs ? '`name:value`.' : 'A name.');
  const fields: Record<string, Schema> = {
    json: list(`Top-level properties of a JSON body to ${what}.`, item, { default: [] }),
    headers: list(`Response headers to ${what}.`, item, { default: [] }),
  };
  if (types) {
    fields['json_types'] = list('The JSON type of each `json` value, by position (a value without one is a string).', oneOf('A JSON type.', JSON_TYPES), { default: [] });
  }
  return { ...record(`What to ${what}.`, fields), default: {} };
}

export function responseTransformerSchema(): Schema {
  return record('response-transformer: change the response headers, and the top level of a JSON response body.', {
    remove: section('remove', false, false),
    rename: section('rename (`old:new`)', true, false),
    replace: section('replace when present', true, true),
    add: section('add when absent', true, true),
    append: section('append (added even when present)', true, true),
  });
}
