/**
 * key-auth's config schema (Kong 3.x fields and defaults), JSON Schema for ajv with a
 * description per field. Unknown fields are errors, as everywhere in the config.
 */

type Schema = Record<string, unknown>;

/** Kong's `typedefs.header_name`: a token (RFC 9110 tchar), since the name is also a header. */
const HEADER_NAME = '^[A-Za-z0-9!#$%&\'*+.^_`|~-]+$';

export function keyAuthSchema(): Schema {
  return {
    type: 'object',
    description: 'key-auth: identify the consumer by an API key sent in a header, the query string or the body.',
    additionalProperties: false,
    properties: {
      key_names: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', minLength: 1, pattern: HEADER_NAME },
        default: ['apikey'],
        description: 'Names of the header, query argument or body field carrying the key; the first one present wins.',
      },
      key_in_header: { type: 'boolean', default: true, description: 'Look for the key among the request headers.' },
      key_in_query: { type: 'boolean', default: true, description: 'Look for the key in the query string.' },
      key_in_body: {
        type: 'boolean',
        default: false,
        description: 'Look for the key in a JSON or form-urlencoded body (the body is then read whole before proxying).',
      },
      hide_credentials: { type: 'boolean', default: false, description: 'Remove the key from the request before it is proxied.' },
      anonymous: {
        type: ['string', 'null'],
        default: null,
        description: 'Id or username of the consumer to use when authentication fails; null answers 401 instead.',
      },
      run_on_preflight: { type: 'boolean', default: true, description: 'Authenticate OPTIONS preflight requests too.' },
      realm: {
        type: ['string', 'null'],
        default: null,
        description: 'Realm of the WWW-Authenticate header sent with a 401 (`Key realm="<realm>"`; just `Key` when null).',
      },
    },
  };
}
