/**
 * Certificates (with nested SNIs), top-level SNIs and CA certificates. PEM is parsed
 * with node:crypto now so a bad certificate fails the load, never a TLS handshake.
 */
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import type { RawCaCertificate, RawCertificate, RawSni } from './document-types.js';
import type { NormalizeContext } from './normalize-context.js';
import type { NormalizedCaCertificate, NormalizedCertificate, NormalizedSni } from './types.js';
import { deriveId } from './ids.js';
import { joinPath } from './schema-errors.js';

export interface PlacedPem<T> {
  raw: T;
  path: string;
  id: string;
}

export function registerCertificates(ctx: NormalizeContext, certs: RawCertificate[] | undefined, cas: RawCaCertificate[] | undefined): {
  certificates: PlacedPem<RawCertificate>[];
  caCertificates: PlacedPem<RawCaCertificate>[];
} {
  const certificates: PlacedPem<RawCertificate>[] = [];
  for (const { item, path, bad } of ctx.items(certs, 'certificates', true)) {
    const id = ctx.certificates.register(ctx, path, item, undefined, typeof item.cert === 'string' ? item.cert : `#${path}`);
    if (!bad) certificates.push({ raw: item, path, id });
  }
  const caCertificates: PlacedPem<RawCaCertificate>[] = [];
  for (const { item, path, bad } of ctx.items(cas, 'ca_certificates', true)) {
    const id = ctx.caCertificates.register(ctx, path, item, undefined, typeof item.cert === 'string' ? item.cert : `#${path}`);
    if (!bad) caCertificates.push({ raw: item, path, id });
  }
  return { certificates, caCertificates };
}

/** Parse a cert/key pair; reports problems under `certField`/`keyField`. */
function checkPair(ctx: NormalizeContext, path: string, cert: string, key: string, certField: string, keyField: string): void {
  let x509: X509Certificate | null = null;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    ctx.error(joinPath(path, certField), 'invalid PEM certificate');
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    ctx.error(joinPath(path, keyField), 'invalid PEM private key');
    return;
  }
  if (x509 !== null && !x509.checkPrivateKey(privateKey)) ctx.error(joinPath(path, keyField), `does not match ${certField}`);
}

export function buildCertificates(
  ctx: NormalizeContext,
  certificates: PlacedPem<RawCertificate>[],
  topSnis: RawSni[] | undefined,
): { certificates: NormalizedCertificate[]; snis: NormalizedSni[] } {
  const outCerts: NormalizedCertificate[] = [];
  const byId = new Map<string, NormalizedCertificate>();
  const snis: NormalizedSni[] = [];
  const seen = new Map<string, string>();
  const addSni = (path: string, name: string, certificate: string, id: string | undefined, tags: string[] | undefined): void => {
    const lower = name.toLowerCase();
    const prev = seen.get(lower);
    if (prev !== undefined) {
      ctx.error(path, `duplicate SNI "${lower}" (also ${prev})`);
      return;
    }
    seen.set(lower, path);
    snis.push({ id: id?.toLowerCase() ?? deriveId('sni', lower), name: lower, certificate, tags: tags ?? [] });
    byId.get(certificate)?.snis.push(lower);
  };

  for (const { raw, path, id } of certificates) {
    const before = ctx.errors.length;
    checkPair(ctx, path, raw.cert, raw.key, 'cert', 'key');
    if ((raw.cert_alt === undefined) !== (raw.key_alt === undefined)) {
      ctx.error(joinPath(path, raw.cert_alt === undefined ? 'cert_alt' : 'key_alt'), `required when ${raw.cert_alt === undefined ? 'key_alt' : 'cert_alt'} is set`);
    } else if (raw.cert_alt !== undefined && raw.key_alt !== undefined) {
      checkPair(ctx, path, raw.cert_alt, raw.key_alt, 'cert_alt', 'key_alt');
    }
    const cert: NormalizedCertificate = {
      id,
      cert: raw.cert,
      key: raw.key,
      cert_alt: raw.cert_alt ?? null,
      key_alt: raw.key_alt ?? null,
      snis: [],
      tags: raw.tags ?? [],
    };
    byId.set(id, cert);
    (raw.snis ?? []).forEach((s, i) => {
      const p = joinPath(joinPath(path, 'snis'), i);
      if (typeof s === 'string') addSni(p, s, id, undefined, undefined);
      else addSni(p, s.name, id, s.id, s.tags);
    });
    if (ctx.errors.length === before) outCerts.push(cert);
  }
  for (const { item, path } of ctx.items(topSnis, 'snis')) {
    const certificate = ctx.certificates.resolve(ctx, joinPath(path, 'certificate'), item.certificate);
    if (certificate !== null) addSni(path, item.name, certificate, item.id, item.tags);
  }
  return { certificates: outCerts, snis };
}

export function buildCaCertificates(ctx: NormalizeContext, cas: PlacedPem<RawCaCertificate>[]): NormalizedCaCertificate[] {
  const out: NormalizedCaCertificate[] = [];
  for (const { raw, path, id } of cas) {
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(raw.cert);
    } catch {
      ctx.error(joinPath(path, 'cert'), 'invalid PEM certificate');
      continue;
    }
    if (!x509.ca) {
      ctx.error(joinPath(path, 'cert'), 'not a CA certificate (basicConstraints CA:TRUE missing)');
      continue;
    }
    const digest = createHash('sha256').update(x509.raw).digest('hex');
    if (raw.cert_digest !== undefined && raw.cert_digest.toLowerCase() !== digest) {
      ctx.error(joinPath(path, 'cert_digest'), 'does not match cert');
      continue;
    }
    out.push({ id, cert: raw.cert, cert_digest: digest, tags: raw.tags ?? [] });
  }
  return out;
}
