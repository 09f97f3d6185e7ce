/**
 * Process-level TLS settings, resolved once at start (CLI side): the default certificate
 * from `--ssl-cert`/`--ssl-cert-key` (Kong's ssl_cert), checked now so a bad file fails
 * the start and never a handshake, and a concrete TLS port for all workers.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import type { CompiledPemPair } from '../compile/types.js';

/** The pair, null when neither path is set, or an error message. */
export function readDefaultCertificate(certPath: string | null, keyPath: string | null): CompiledPemPair | null | string {
  if (certPath === null || keyPath === null) return null;
  let cert: string;
  let key: string;
  try {
    cert = readFileSync(certPath, 'utf8');
    key = readFileSync(keyPath, 'utf8');
  } catch (err) {
    return `cannot read the default certificate: ${err instanceof Error ? err.message : String(err)}`;
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    return `--ssl-cert ${certPath}: invalid PEM certificate`;
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) return `--ssl-cert-key ${keyPath}: does not match --ssl-cert`;
  } catch {
    return `--ssl-cert-key ${keyPath}: invalid PEM private key`;
  }
  return { cert, key };
}

/**
 * uSockets sets SO_REUSEPORT only for a non-zero port, so N workers (and a certificate
 * reload, which binds a new socket before closing the old) cannot share a port the
 * kernel picks at bind time. Port 0 becomes a port that was free a moment ago.
 */
export function resolveTlsPort(host: string, port: number): Promise<number> {
  if (port !== 0) return Promise.resolve(port);
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port: free } = server.address() as AddressInfo;
      server.close(() => resolve(free));
    });
  });
}
