/**
 * The shape of a declarative document once it has passed the JSON Schema in schema/.
 * Normalize.ts reads these; every optional field may be absent. Kept next to the schema
 * by hand: a field added to one must be added to the other.
 */

export type RawRef = string | { id?: string; name?: string };

export interface RawPlugin {
  id?: string;
  name: string;
  instance_name?: string;
  config?: Record<string, unknown>;
  enabled?: boolean;
  protocols?: string[];
  service?: RawRef;
  route?: RawRef;
  consumer?: RawRef;
  tags?: string[];
}

export interface RawFilter {
  name: string;
  config?: string | Record<string, unknown> | null;
  enabled?: boolean;
  on_error?: 'fail_closed' | 'fail_open';
}

export interface RawFilterChain {
  id?: string;
  name?: string;
  enabled?: boolean;
  service?: RawRef;
  route?: RawRef;
  filters: RawFilter[];
  tags?: string[];
}

export interface RawRoute {
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
  tags?: string[];
  plugins?: RawPlugin[];
  filter_chains?: RawFilterChain[];
}

export interface RawService {
  id?: string;
  name?: string;
  url?: string;
  protocol?: 'http' | 'https';
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

export interface RawTarget {
  id?: string;
  target: string;
  weight?: number;
  upstream?: RawRef;
  tags?: string[];
}

export interface RawUpstream {
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
  healthchecks?: Record<string, unknown>;
  targets?: RawTarget[];
  tags?: string[];
}

export interface RawConsumer {
  id?: string;
  username?: string;
  custom_id?: string;
  keyauth_credentials?: { id?: string; key: string; ttl?: number | null; tags?: string[] }[];
  basicauth_credentials?: { id?: string; username: string; password: string; tags?: string[] }[];
  acls?: { id?: string; group: string; tags?: string[] }[];
  jwt_secrets?: { id?: string; key: string; algorithm?: string; secret?: string; rsa_public_key?: string; tags?: string[] }[];
  tags?: string[];
  plugins?: RawPlugin[];
}

export type RawNestedSni = string | { id?: string; name: string; tags?: string[] };

export interface RawCertificate {
  id?: string;
  cert: string;
  key: string;
  cert_alt?: string;
  key_alt?: string;
  snis?: RawNestedSni[];
  tags?: string[];
}

export interface RawSni {
  id?: string;
  name: string;
  certificate: string | { id: string };
  tags?: string[];
}

export interface RawCaCertificate {
  id?: string;
  cert: string;
  cert_digest?: string;
  tags?: string[];
}

export interface RawDocument {
  _format_version: string;
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
