/** hmac-auth's config (Kong 3.x fields and defaults). */
import { anonymousField, hideCredentialsField, realmField } from '../auth-config.js';
import { bool, list, number, record, text, type Schema } from '../../lib/schema-kit.js';

export const HMAC_ALGORITHMS = ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const;

export function hmacAuthSchema(): Schema {
  return record('hmac-auth: identify the consumer by an HMAC signature of the request (`Authorization: hmac username="…", algorithm="…", headers="…", signature="…"`).', {
    hide_credentials: hideCredentialsField('the signature header'),
    clock_skew: number('Largest difference in seconds between the Date (or X-Date) header and the gateway\'s clock.', { exclusiveMinimum: 0, default: 300 }),
    anonymous: anonymousField(),
    validate_request_body: bool('Also require a Digest header (`SHA-256=<base64>`) matching the body; without one the body must be empty.', false),
    enforce_headers: list('Headers the client must include in the signature.', text('A header name as listed in the signature.'), { default: [] }),
    algorithms: list('Signature algorithms accepted.', { type: 'string', enum: [...HMAC_ALGORITHMS], description: 'An HMAC algorithm.' }, { default: [...HMAC_ALGORITHMS] }),
    realm: realmField('hmac'),
  });
}
