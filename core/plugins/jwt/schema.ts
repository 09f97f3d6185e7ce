/** jwt's config (Kong 3.x fields and defaults; Kong's `set` fields are arrays here, duplicates dropped). */
import { anonymousField, realmField } from '../auth-config.js';
import { bool, list, number, record, text, type Schema } from '../../lib/schema-kit.js';

export const JWT_CLAIMS = ['exp', 'nbf'] as const;
/** Kong's between = { 0, 31536000 } (one year). */
export const MAX_MAXIMUM_EXPIRATION = 31_536_000;

export function jwtSchema(): Schema {
  return record('jwt: identify the consumer by a signed JSON Web Token (HS*, RS*, PS*, ES*, EdDSA) whose key claim names a jwt credential.', {
    uri_param_names: list('Query arguments that may carry the token.', text('A query argument name.'), { default: ['jwt'] }),
    cookie_names: list('Cookies that may carry the token.', text('A cookie name.'), { default: [] }),
    header_names: list('Headers that may carry the token as `Bearer <token>`.', text('A header name.'), { default: ['authorization'] }),
    key_claim_name: text('Claim (or protected-header field) naming the credential: its `key`.', { default: 'iss' }),
    secret_is_base64: bool('The credentials\' secrets are base64 (or base64url) encoded.', false),
    claims_to_verify: {
      type: ['array', 'null'],
      items: { type: 'string', enum: [...JWT_CLAIMS], description: 'A registered claim.' },
      default: null,
      description: 'Registered claims to check: `exp` (not expired) and `nbf` (already valid).',
    },
    anonymous: anonymousField(),
    run_on_preflight: bool('Authenticate OPTIONS preflight requests too.', true),
    maximum_expiration: number('Largest lifetime in seconds a token may have left (`exp` - now); 0: no limit. Requires `exp` in claims_to_verify.', {
      minimum: 0,
      maximum: MAX_MAXIMUM_EXPIRATION,
      default: 0,
    }),
    realm: realmField('Bearer'),
  });
}
