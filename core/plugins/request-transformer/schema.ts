/** request-transformer's config (Kong 3.x fields and defaults); the entries are checked in definition.ts with Kong's wording. */
import { list, optionalText, record, text, type Schema } from '../../lib/schema-kit.js';

function entries(description: string, item: string): Schema {
  return list(description, text(item), { default: [] });
}

/** One operation's three lists (and `uri` for replace). */
function section(what: string, pairs: boolean, uri = false): Schema {
  const item = pairs ? '`name:value` (the value may be a template)' : 'A name.';
  const fields: Record<string, Schema> = {
    body: entries(`Body parameters to ${what} (JSON, form-urlencoded or multipart bodies).`, item),
    headers: entries(`Headers to ${what}.`, item),
    querystring: entries(`Query arguments to ${what}.`, item),
  };
  if (uri) fields['uri'] = optionalText('The upstream path, replacing the whole path (the service path included); may be a template.');
  return { ...record(`What to ${what}.`, fields), default: {} };
}

export function requestTransformerSchema(): Schema {
  return record('request-transformer: change the request before it is proxied: method, path, headers, query string and body.', {
    http_method: optionalText('The method sent upstream (upper-case). GET, HEAD or TRACE also move a form-urlencoded body\'s arguments into the query string.'),
    remove: section('remove', false),
    rename: section('rename (`old:new`)', true),
    replace: section('replace when present', true, true),
    add: section('add when absent', true),
    append: section('append (added even when present)', true),
  });
}
