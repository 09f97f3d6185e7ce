/**
 * The shape of a declarative document once it has passed the JSON Schema in schema/.
 * Normalize.ts reads these; every optional field may be absent. Kept next to the schema
 * by hand: a field added to one must be added to the other.
 */

export type RawRef = string | { id?: string; name?: string; username?: string };

/** Fields every entity may carry and that never reach the normalized config. */
export interface RawEntityExtras {
  _comment?: string;
  _ignore?: unknown[];
  created_at?: number;
  updated_at?: number;
}

export interface RawPlugin extends RawEntityExtras {
  id?: string;
  name: string;
  instance_name?: string;
  config?: Record<string, unknown>;
  enabled?: boolean;
  protocols?: string[];
  service?: RawRef;
  route?: RawRef;
  consumer?: RawRef;
  consumer_group?: RawRef;
  ordering?: Record<string, unknown>;
  tags?: string[];
}

export interface RawFilter {
  name: string;
  config?: string | Record<string, unknown> | null;
  enabled?: boolean;
  on_error?: 'fail_closed' | 'fail_open';
}

export interface RawFilterChain extends RawEntityExtras {
  id?: string;
  name?: string;
  enabled?: boolean;
  service?: RawRef;
  route?: RawRef;
  filters: RawFilter[];
  tags?: string[];
}

export interface RawRoute extends RawEntityExtras {
  id?: string;
  name?: string;
  service?: RawRef;
  protocols?: string[];
  methods?: string[];
  hosts?: string[];
  paths?: string[];
  headers?: Record<string, string[]>;
  https_redirect_status_code?: number;
  regex_priority?: number;
  strip_path?: boolean;
  path_handling?: 'v0' | 'v1';
  preserve_host?: boolean;
  request_buffering?: boolean;
  response_buffering?: boolean;
  snis?: string[];
  sources?: { ip?: string; port?: number }[];
  destinations?: { ip?: string; port?: number }[];
  expression?: string;
  priority?: number;
  tags?: string[];
  plugins?: RawPlugin[];
  filter_chains?: RawFilterChain[];
}

export interface RawService extends RawEntityExtras {
  id?: string;
  name?: string;
  url?: string;
  protocol?: string;
  host?: string;
  port?: number;
  path?: string;
  retries?: number;
  connect_timeout?: number;
  write_timeout?: number;
  read_timeout?: number;
  enabled?: boolean;
  tls_verify?: boolean | null;
  tls_verify_depth?: number | null;
  ca_certificates?: string[] | null;
  client_certificate?: string | { id: string };
  tags?: string[];
  routes?: RawRoute[];
  plugins?: RawPlugin[];
  filter_chains?: RawFilterChain[];
}

export interface RawTarget extends RawEntityExtras {
  id?: string;
  target: string;
  weight?: number;
  upstream?: RawRef;
  tags?: string[];
}

export interface RawUpstream extends RawEntityExtras {
  id?: string;
  name: string;
  algorithm?: string;
  slots?: number;
  hash_on?: string;
  hash_fallback?: string;
  hash_on_header?: string;
  hash_fallback_header?: string;
  hash_on_cookie?: string;
  hash_on_cookie_path?: string;
  hash_on_query_arg?: string;
  hash_fallback_query_arg?: string;
  hash_on_uri_capture?: string;
  hash_fallback_uri_capture?: string;
  host_header?: string;
  use_srv_name?: boolean;
  sticky_sessions_cookie?: string;
  sticky_sessions_cookie_path?: string;
  client_certificate?: string | { id: string };
  healthchecks?: Record<string, unknown>;
  targets?: RawTarget[];
  tags?: string[];
}

/** A credential: nested under its consumer, or top-level with `consumer` set. */
interface RawCredential extends RawEntityExtras {
  id?: string;
  consumer?: RawRef;
  tags?: string[];
}

export interface RawKeyAuth extends RawCredential {
  key: string;
  ttl?: number | null;
}

export interface RawBasicAuth extends RawCredential {
  username: string;
  password: string;
}

export interface RawHmacAuth extends RawCredential {
  username: string;
  secret: string;
}

export interface RawJwtSecret extends RawCredential {
  key: string;
  algorithm?: string;
  secret?: string;
  rsa_public_key?: string;
}

export interface RawAcl extends RawCredential {
  group: string;
}

/** The credential collections, nested in a consumer or at the top level of the document. */
export interface RawCredentials {
  keyauth_credentials?: RawKeyAuth[];
  basicauth_credentials?: RawBasicAuth[];
  hmacauth_credentials?: RawHmacAuth[];
  jwt_secrets?: RawJwtSecret[];
  acls?: RawAcl[];
}

export interface RawConsumer extends RawEntityExtras, RawCredentials {
  id?: string;
  username?: string;
  custom_id?: string;
  tags?: string[];
  plugins?: RawPlugin[];
}

export type RawNestedSni = string | { id?: string; name: string; tags?: string[] };

export interface RawCertificate extends RawEntityExtras {
  id?: string;
  cert: string;
  key: string;
  cert_alt?: string;
  key_alt?: string;
  snis?: RawNestedSni[];
  tags?: string[];
}

export interface RawSni extends RawEntityExtras {
  id?: string;
  name: string;
  certificate: string | { id: string };
  tags?: string[];
}

export interface RawCaCertificate extends RawEntityExtras {
  id?: string;
  cert: string;
  cert_digest?: string;
  tags?: string[];
}

export interface RawDocument extends RawCredentials {
  _format_version: string;
  _transform?: boolean;
  services?: RawService[];
  routes?: RawRoute[];
  upstreams?: RawUpstream[];
  targets?: RawTarget[];
  consumers?: RawConsumer[];
  plugins?: RawPlugin[];
  filter_chains?: RawFilterChain[];
  certificates?: RawCertificate[];
  snis?: RawSni[];
  ca_certificates?: RawCaCertificate[];
}
