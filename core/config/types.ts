/**
 * NormalizedConfig: the output contract of stage 1 (config/), the input of stage 2 (compile/).
 *
 * Every entity has its Kong defaults filled in, every reference is resolved to an id,
 * nested routes are hoisted to the top level, and every array is present (possibly empty).
 * Nothing here is a class or a function: it is plain data, safe to clone and to hash.
 */

/** A protocol Gatehouse serves. */
export type Protocol = 'http' | 'https';
/** Any protocol name Kong's schemas accept; only `Protocol`s are ever served. */
export type KongProtocol = Protocol | 'grpc' | 'grpcs' | 'tcp' | 'tls' | 'tls_passthrough' | 'udp' | 'ws' | 'wss';

export interface NormalizedService {
  id: string;
  name: string | null;
  protocol: Protocol;
  /** A hostname, an IP, or the name of an upstream entity (then `upstream` is set). */
  host: string;
  port: number;
  /** Upstream path prefix, starting with `/`, or null. */
  path: string | null;
  retries: number;
  /** Milliseconds, as in Kong. */
  connect_timeout: number;
  write_timeout: number;
  read_timeout: number;
  enabled: boolean;
  tags: string[];
  /** Id of the upstream whose name equals `host`, or null for a direct host:port. */
  upstream: string | null;
  /** Upstream TLS (Kong fields). Optional in the type; stage 1 always sets them. */
  tls_verify?: boolean | null;
  tls_verify_depth?: number | null;
  /** Ids of ca_certificates entities, or null. */
  ca_certificates?: string[] | null;
  /** Id of a certificates entity presented to the upstream, or null. */
  client_certificate?: string | null;
}

export type PathHandling = 'v0' | 'v1';

export interface NormalizedRoute {
  id: string;
  name: string | null;
  /** Service id, or null (a route without a service answers 503 as in Kong). */
  service: string | null;
  protocols: Protocol[];
  /** Upper-case methods, or null for any. */
  methods: string[] | null;
  /** Lower-case hosts, possibly with one leading or trailing `*` and an optional `:port`. */
  hosts: string[] | null;
  /** Prefix paths start with `/`; regex paths start with `~`. */
  paths: string[] | null;
  /** Lower-case header name -> accepted values (a value starting with `~*` is a regex). */
  headers: Record<string, string[]> | null;
  strip_path: boolean;
  preserve_host: boolean;
  regex_priority: number;
  path_handling: PathHandling;
  https_redirect_status_code: number;
  request_buffering: boolean;
  response_buffering: boolean;
  tags: string[];
}

export interface NormalizedTarget {
  id: string;
  /** `host:port` (port defaults to 8000 as in Kong). */
  target: string;
  host: string;
  port: number;
  weight: number;
  tags: string[];
}

export type BalancerAlgorithm = 'round-robin' | 'consistent-hashing' | 'least-connections' | 'latency';

export interface NormalizedUpstream {
  id: string;
  name: string;
  algorithm: BalancerAlgorithm;
  slots: number;
  hash_on: string;
  hash_fallback: string;
  hash_on_header: string | null;
  hash_fallback_header: string | null;
  hash_on_cookie: string | null;
  hash_on_cookie_path: string;
  hash_on_query_arg: string | null;
  hash_fallback_query_arg: string | null;
  hash_on_uri_capture: string | null;
  hash_fallback_uri_capture: string | null;
  host_header: string | null;
  /** Optional in the type; stage 1 always sets it (default false). */
  use_srv_name?: boolean;
  /** Kong's healthchecks object, defaults filled in; compiled by proxy/health. */
  healthchecks: Record<string, unknown>;
  tags: string[];
  targets: NormalizedTarget[];
}

export interface NormalizedKeyAuthCredential {
  id: string;
  key: string;
  /** Seconds until expiry, or null. */
  ttl: number | null;
  tags: string[];
}

export interface NormalizedBasicAuthCredential {
  id: string;
  username: string;
  /** As written in the file; the basic-auth plugin hashes it. */
  password: string;
  tags: string[];
}

export interface NormalizedHmacAuthCredential {
  id: string;
  username: string;
  secret: string;
  tags: string[];
}

export interface NormalizedAcl {
  id: string;
  group: string;
  tags: string[];
}

export interface NormalizedJwtSecret {
  id: string;
  key: string;
  algorithm: string;
  secret: string | null;
  rsa_public_key: string | null;
  tags: string[];
}

export interface NormalizedConsumer {
  id: string;
  username: string | null;
  custom_id: string | null;
  tags: string[];
  /**
   * The consumer's credentials, whether the file nested them under the consumer or listed
   * them in a top-level collection naming it (nested first, then top-level, in file order).
   * Optional in the type; stage 1 always sets them.
   */
  keyauth_credentials?: NormalizedKeyAuthCredential[];
  basicauth_credentials?: NormalizedBasicAuthCredential[];
  hmacauth_credentials?: NormalizedHmacAuthCredential[];
  acls?: NormalizedAcl[];
  jwt_secrets?: NormalizedJwtSecret[];
}

export interface NormalizedPlugin {
  id: string;
  name: string;
  /** Scope: any of these may be null (null everywhere = global). */
  service: string | null;
  route: string | null;
  consumer: string | null;
  config: Record<string, unknown>;
  enabled: boolean;
  /**
   * As written (Kong's default `[grpc, grpcs, http, https]`), unserved protocols included:
   * ask config/protocols.ts `runsOn` whether it runs on http or https.
   */
  protocols: KongProtocol[];
  tags: string[];
  /** Optional in the type; stage 1 always sets it (null when absent). */
  instance_name?: string | null;
}

export interface NormalizedFilter {
  name: string;
  config: string | Record<string, unknown> | null;
  enabled: boolean;
  on_error: 'fail_closed' | 'fail_open';
}

export interface NormalizedFilterChain {
  id: string;
  name: string | null;
  service: string | null;
  route: string | null;
  enabled: boolean;
  filters: NormalizedFilter[];
  tags: string[];
}

export interface NormalizedCertificate {
  id: string;
  cert: string;
  key: string;
  cert_alt: string | null;
  key_alt: string | null;
  /** Names of the SNIs bound to this certificate (nested and top-level). */
  snis: string[];
  tags: string[];
}

export interface NormalizedSni {
  id: string;
  /** Lower-case server name, possibly with a leading or trailing `*`. */
  name: string;
  /** Certificate id. */
  certificate: string;
  tags: string[];
}

export interface NormalizedCaCertificate {
  id: string;
  cert: string;
  /** SHA-256 of the DER certificate, lower-case hex. */
  cert_digest: string;
  tags: string[];
}

export interface NormalizedConfig {
  _format_version: string;
  services: NormalizedService[];
  routes: NormalizedRoute[];
  upstreams: NormalizedUpstream[];
  consumers: NormalizedConsumer[];
  plugins: NormalizedPlugin[];
  filter_chains: NormalizedFilterChain[];
  /** TLS entities. Optional in the type; stage 1 always sets them (possibly empty). */
  certificates?: NormalizedCertificate[];
  snis?: NormalizedSni[];
  ca_certificates?: NormalizedCaCertificate[];
}

/** One validation problem: a JSON-ish path (`services[0].retries`) and a message. */
export interface ConfigError {
  path: string;
  message: string;
}

export type ConfigResult =
  | { ok: true; config: NormalizedConfig }
  | { ok: false; errors: ConfigError[] };
