/**
 * key-auth, compile side (Kong 3.x: priority 1250). The credential table (key -> credential
 * id, consumer) is built once per config and shared by every key-auth instance; each
 * instance resolves its `anonymous` consumer here.
 */
import type { NormalizedConfig } from '../../config/types.js';
import { anonymousIndex, challenge, credentialRows } from '../auth-config.js';
import { NO_CONSUMER, type PluginDefinition } from '../definition.js';
import { keyAuthSchema } from './schema.js';

export interface KeyAuthConfig {
  key_names: string[];
  key_in_header: boolean;
  key_in_query: boolean;
  key_in_body: boolean;
  hide_credentials: boolean;
  anonymous: string | null;
  run_on_preflight: boolean;
  realm: string | null;
}

/** What each key-auth handler gets. */
export interface CompiledKeyAuth {
  /** Query-string and body argument names, as configured, in lookup order. */
  keyNames: string[];
  /** The same names lower-cased: how they are looked up among the headers. */
  headerNames: string[];
  inHeader: boolean;
  inQuery: boolean;
  inBody: boolean;
  hideCredentials: boolean;
  runOnPreflight: boolean;
  /** Index of the anonymous consumer, or -1 (failures answer 401). */
  anonymous: number;
  /** `Key realm="<realm>"`, or `Key` without a realm (Kong 3.x). */
  wwwAuthenticate: string;
}

/** The key table: every key-auth credential with its consumer's index. */
export interface KeyAuthShared {
  keys: { key: string; id: string; consumer: number }[];
}

export const definition: PluginDefinition<KeyAuthConfig, CompiledKeyAuth> = {
  name: 'key-auth',
  version: '3.9.0',
  priority: 1250,
  schema: keyAuthSchema(),
  scopes: NO_CONSUMER,
  compile(c, ctx) {
    const anonymous = anonymousIndex(c.anonymous, ctx);
    return {
      keyNames: [...c.key_names],
      headerNames: c.key_names.map((n) => n.toLowerCase()),
      inHeader: c.key_in_header,
      inQuery: c.key_in_query,
      inBody: c.key_in_body,
      hideCredentials: c.hide_credentials,
      runOnPreflight: c.run_on_preflight,
      anonymous,
      wwwAuthenticate: challenge('Key', c.realm),
    };
  },
  shared(config: NormalizedConfig): KeyAuthShared {
    return { keys: credentialRows(config, 'keyauth_credentials', (k, _c, i) => ({ key: k.key, id: k.id, consumer: i })) };
  },
};
