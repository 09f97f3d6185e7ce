/**
 * hmac-auth, compile side (Kong 3.x: priority 1030). The credential table (username ->
 * secret, consumer) is built once per config and shared by every instance.
 */
import type { NormalizedConfig } from '../../config/types.js';
import { anonymousIndex, challenge, credentialRows } from '../auth-config.js';
import { NO_CONSUMER, type PluginDefinition } from '../definition.js';
import { hmacAuthSchema } from './schema.js';

interface HmacAuthConfig {
  hide_credentials: boolean;
  clock_skew: number;
  anonymous: string | null;
  validate_request_body: boolean;
  enforce_headers: string[];
  algorithms: string[];
  realm: string | null;
}

export interface CompiledHmacAuth {
  hideCredentials: boolean;
  clockSkew: number;
  anonymous: number;
  validateRequestBody: boolean;
  enforceHeaders: string[];
  algorithms: string[];
  /** `hmac`, or `hmac realm="<realm>"`. */
  wwwAuthenticate: string;
}

export interface HmacAuthShared {
  credentials: { id: string; username: string; secret: string; consumer: number }[];
}

export const definition: PluginDefinition<HmacAuthConfig, CompiledHmacAuth> = {
  name: 'hmac-auth',
  version: '3.9.0',
  priority: 1030,
  schema: hmacAuthSchema(),
  scopes: NO_CONSUMER,
  compile(c, ctx) {
    return {
      hideCredentials: c.hide_credentials,
      clockSkew: c.clock_skew,
      anonymous: anonymousIndex(c.anonymous, ctx),
      validateRequestBody: c.validate_request_body,
      enforceHeaders: [...new Set(c.enforce_headers)],
      algorithms: [...new Set(c.algorithms)],
      wwwAuthenticate: challenge('hmac', c.realm),
    };
  },
  shared(config: NormalizedConfig): HmacAuthShared {
    return { credentials: credentialRows(config, 'hmacauth_credentials', (h, _c, i) => ({ id: h.id, username: h.username, secret: h.secret, consumer: i })) };
  },
};
