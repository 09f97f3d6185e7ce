/**
 * basic-auth, compile side (Kong 3.x: priority 1100). The credential table is built once
 * per config (`shared`) and every password is hashed here, once, as Kong stores it:
 * workers get usernames and hashes, never a plain password.
 */
import type { NormalizedConfig } from '../../config/types.js';
import { anonymousIndex, challenge, credentialRows } from '../auth-config.js';
import { NO_CONSUMER, type PluginDefinition } from '../definition.js';
import { basicAuthHash } from './password-hash.js';
import { basicAuthSchema } from './schema.js';

interface BasicAuthConfig {
  anonymous: string | null;
  hide_credentials: boolean;
  realm: string;
}

export interface CompiledBasicAuth {
  hideCredentials: boolean;
  /** Index of the anonymous consumer, or -1 (failures answer 401). */
  anonymous: number;
  /** `Basic realm="<realm>"`. */
  wwwAuthenticate: string;
}

/** Every basic-auth credential: username, Kong's hash (hex) and its consumer's index. */
export interface BasicAuthShared {
  credentials: { id: string; username: string; hash: string; consumer: number }[];
}

export const definition: PluginDefinition<BasicAuthConfig, CompiledBasicAuth> = {
  name: 'basic-auth',
  version: '3.9.0',
  priority: 1100,
  schema: basicAuthSchema(),
  scopes: NO_CONSUMER,
  compile(c, ctx) {
    return {
      hideCredentials: c.hide_credentials,
      anonymous: anonymousIndex(c.anonymous, ctx),
      wwwAuthenticate: challenge('Basic', c.realm),
    };
  },
  shared(config: NormalizedConfig): BasicAuthShared {
    return {
      credentials: credentialRows(config, 'basicauth_credentials', (b, c, i) => ({ id: b.id, username: b.username, hash: basicAuthHash(c.id, b.password), consumer: i })),
    };
  },
};
