/**
 * Compile side of TLS: Kong's `certificates` + `snis` -> the HTTPS listener's table, and
 * each `https` service's upstream TLS settings (verify, depth, CAs, client certificate).
 *
 * Stage 1 has already parsed every PEM and checked every key against its certificate, so
 * nothing here can fail on bad key material. `cert_alt`/`key_alt` (a second, ECDSA pair)
 * are not served: a uWS SSL context takes one pair (see README, TLS).
 */
import { createHash } from 'node:crypto';
import type { NormalizedConfig, NormalizedService } from '../config/types.js';
import type { CompiledPemPair, CompiledTls, CompiledTlsListener, CompiledUpstreamTls } from '../compile/types.js';

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * Every SNI with its certificate. The default certificate is the one of the first
 * certificate entity (config order) bound to an SNI: a certificate without SNIs is
 * usually a client certificate for mTLS, and Kong does not serve it either.
 */
export function compileTlsListener(config: NormalizedConfig): CompiledTlsListener | null {
  const snis = config.snis ?? [];
  if (snis.length === 0) return null;
  const bound = new Set(snis.map((s) => s.certificate));
  const certificates: CompiledPemPair[] = [];
  const indexById = new Map<string, number>();
  for (const cert of config.certificates ?? []) {
    if (!bound.has(cert.id)) continue;
    indexById.set(cert.id, certificates.length);
    certificates.push({ cert: cert.cert, key: cert.key });
  }
  const out: CompiledTlsListener['snis'] = [];
  for (const sni of snis) {
    const index = indexById.get(sni.certificate);
    if (index !== undefined) out.push({ name: sni.name.toLowerCase(), certificate: index });
  }
  if (out.length === 0) return null;
  const table = { certificates, snis: out, defaultCertificate: 0 };
  return { ...table, hash: digest(table) };
}

export function compileUpstreamTls(service: NormalizedService, config: NormalizedConfig): CompiledUpstreamTls | null {
  if (service.protocol !== 'https') return null;
  const cas = config.ca_certificates ?? [];
  const ids = service.ca_certificates ?? null;
  const ca = ids === null || ids.length === 0 ? null : ids.map((id) => cas.find((c) => c.id === id)?.cert).filter((pem): pem is string => pem !== undefined);
  const clientId = service.client_certificate ?? null;
  const client = clientId === null ? undefined : (config.certificates ?? []).find((c) => c.id === clientId);
  const settings = {
    // Verification is on unless the service turns it off (Kong's default is off: README, TLS).
    verify: service.tls_verify ?? true,
    verifyDepth: service.tls_verify_depth ?? -1,
    ca,
    clientCertificate: client === undefined ? null : { cert: client.cert, key: client.key },
  };
  return { ...settings, key: digest(settings).slice(0, 16) };
}

/** `serviceIndexById`: where compileProxyTables put each service in CompiledConfig.services. */
export function compileTls(config: NormalizedConfig, serviceIndexById: ReadonlyMap<string, number>, serviceCount: number): CompiledTls {
  const services: (CompiledUpstreamTls | null)[] = new Array<CompiledUpstreamTls | null>(serviceCount).fill(null);
  for (const service of config.services) {
    const index = serviceIndexById.get(service.id);
    if (index !== undefined) services[index] = compileUpstreamTls(service, config);
  }
  return { listener: compileTlsListener(config), services };
}
