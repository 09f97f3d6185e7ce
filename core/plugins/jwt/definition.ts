/**
 * jwt, compile side (Kong 3.x: priority 1450). Each instance's token sources and claim
 * checks are resolved here; the credential table (key -> algorithm, secret or public key,
 * consumer) is built once per config and shared by every instance (`shared`), the keys
 * imported once per credential by each worker.
 */
import type { NormalizedConfig } from '../../config/types.js';
import { anonymousIndex, challenge, credentialRows } from '../auth-config.js';
import { NO_CONSUMER, type PluginDefinition } from '../definition.js';
import { jwtSchema } from './schema.js';

interface JwtConfig {
  uri_param_names: string[];
  cookie_names: string[];
  header_names: string[];
  key_claim_name: string;
  secret_is_base64: boolean;
  claims_to_verify: ('exp' | 'nbf')[] | null;
  anonymous: string | null;
  run_on_preflight: boolean;
  maximum_expiration: number;
  realm: string | null;
}

export interface CompiledJwt {
  uriParamNames: string[];
  cookieNames: string[];
  /** Lower-case. */
  headerNames: string[];
  keyClaim: string;
  secretIsBase64: boolean;
  /** In configured order, duplicates dropped (the order of the keys of a claims error body). */
  claimsToVerify: ('exp' | 'nbf')[];
  maximumExpiration: number;
  runOnPreflight: boolean;
  anonymous: number;
  /** WWW-Authenticate without a token (`Bearer`, `Bearer realm="…"`), and with a bad one. */
  wwwAuthenticate: string;
  wwwAuthenticateInvalid: string;
}

export interface JwtShared {
  credentials: { id: string; key: string; algorithm: string; secret: string | null; publicKey: string | null; consumer: number }[];
}

function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}

export const definition: PluginDefinition<JwtConfig, CompiledJwt> = {
  name: 'jwt',
  version: '3.9.0',
  priority: 1450,
  schema: jwtSchema(),
  scopes: NO_CONSUMER,
  compile(c, ctx) {
    const claims = unique(c.claims_to_verify ?? []);
    // Kong's entity check: a maximum lifetime means nothing unless `exp` is verified.
    if (c.maximum_expiration > 0 && !claims.includes('exp')) ctx.error('claims_to_verify', 'expected to contain: exp');
    const base = challenge('Bearer', c.realm);
    return {
      uriParamNames: unique(c.uri_param_names),
      cookieNames: unique(c.cookie_names),
      headerNames: unique(c.header_names.map((n) => n.toLowerCase())),
      keyClaim: c.key_claim_name,
      secretIsBase64: c.secret_is_base64,
      claimsToVerify: claims,
      maximumExpiration: c.maximum_expiration,
      runOnPreflight: c.run_on_preflight,
      anonymous: anonymousIndex(c.anonymous, ctx),
      wwwAuthenticate: base,
      wwwAuthenticateInvalid: `${base} error="invalid_token"`,
    };
  },
  shared(config: NormalizedConfig): JwtShared {
    return {
      credentials: credentialRows(config, 'jwt_secrets', (j, _c, i) => ({
        id: j.id,
        key: j.key,
        algorithm: j.algorithm,
        secret: j.secret,
        publicKey: j.rsa_public_key,
        consumer: i,
      })),
    };
  },
};
