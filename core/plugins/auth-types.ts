/**
 * The compiled form of consumers and auth plugins: part of the main -> worker contract
 * (CompiledConfig.auth), plain data only. The compile side (key-auth/compile.ts) builds it
 * once per config; each worker turns it into a key -> consumer Map once per version
 * (consumer.ts, key-auth/access.ts), so a request costs one Map lookup.
 */

/** A consumer as auth plugins and logs see it. */
export interface CompiledConsumer {
  id: string;
  username: string | null;
  customId: string | null;
}

/** One key-auth credential: its key, its id (X-Credential-Identifier) and its consumer. */
export interface CompiledKeyCredential {
  key: string;
  id: string;
  /** Index into CompiledAuth.consumers. */
  consumer: number;
}

/** One key-auth plugin entry, Kong's defaults filled in. */
export interface CompiledKeyAuth {
  /** Plugin id (logs, errors). */
  plugin: string;
  /** Query-string and body argument names, as configured, in lookup order. */
  keyNames: string[];
  /** The same names lower-cased: how they are looked up among the headers. */
  headerNames: string[];
  inHeader: boolean;
  inQuery: boolean;
  inBody: boolean;
  hideCredentials: boolean;
  runOnPreflight: boolean;
  /** Index into CompiledAuth.consumers of the anonymous consumer, or -1 (failures answer 401). */
  anonymous: number;
  /** `Key realm="<realm>"`, or `Key` without a realm (Kong 3.x). */
  wwwAuthenticate: string;
  /** The plugin's `protocols`: whether it runs on the plain and the TLS listener. */
  onHttp: boolean;
  onHttps: boolean;
}

export interface CompiledAuth {
  /** Every consumer the auth plugins may identify (empty when no auth plugin is configured). */
  consumers: CompiledConsumer[];
  keyCredentials: CompiledKeyCredential[];
  /** Distinct key-auth entries; CompiledRoute.keyAuth indexes this list. */
  keyAuth: CompiledKeyAuth[];
}

export const NO_AUTH: CompiledAuth = { consumers: [], keyCredentials: [], keyAuth: [] };
