/**
 * TLS towards `https` upstreams: a service's CompiledUpstreamTls -> undici connector.
 *
 * Node's TLS has no verify-depth knob, so Kong's tls_verify_depth is checked after the
 * handshake in checkServerIdentity, on the chain the peer presented. A failed
 * verification ends the connect with the TLS error (the request answers 502) and is
 * logged here, once per failed connection, naming the origin and OpenSSL's reason: the
 * client only sees Kong's generic 502 wording.
 */
import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { buildConnector } from 'undici';
import type { CompiledUpstreamTls } from '../compile/types.js';

/** Where TLS failures are reported; the worker may point it at its logger. */
export let reportTlsFailure = (origin: string, err: Error & { code?: unknown }): void => {
  process.stderr.write(
    `${JSON.stringify({ level: 'error', component: 'upstream-tls', origin, code: err.code ?? null, msg: `upstream TLS verification failed: ${err.message}` })}\n`,
  );
};

export function setTlsFailureReporter(report: typeof reportTlsFailure): void {
  reportTlsFailure = report;
}

/**
 * CA certificates above the peer's in the presented chain, the self-signed trust anchor
 * excluded (OpenSSL's counting: depth 0 = the peer certificate only, 1 = one CA, …).
 */
export function chainDepth(cert: PeerCertificate): number {
  let depth = 0;
  let current = cert as DetailedPeerCertificate;
  const seen = new Set<string>([current.fingerprint256]);
  for (;;) {
    const issuer = current.issuerCertificate as DetailedPeerCertificate | undefined;
    if (issuer === undefined || issuer === null || seen.has(issuer.fingerprint256)) break;
    seen.add(issuer.fingerprint256);
    const selfSigned = issuer.issuerCertificate === issuer || issuer.issuerCertificate?.fingerprint256 === issuer.fingerprint256;
    if (selfSigned) break;
    depth++;
    current = issuer;
  }
  return depth;
}

const TLS_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|DEPTH|VERIFY/;

function isTlsFailure(err: Error & { code?: unknown }): boolean {
  return typeof err.code === 'string' && TLS_FAILURE.test(err.code);
}

/** The undici `connect` option for one origin: TLS settings, connect timeout, failure log. */
export function tlsConnector(origin: string, tls: CompiledUpstreamTls, timeout: number): buildConnector.connector {
  const options: buildConnector.BuildOptions = { timeout, rejectUnauthorized: tls.verify };
  if (tls.ca !== null) options.ca = tls.ca;
  if (tls.clientCertificate !== null) {
    options.cert = tls.clientCertificate.cert;
    options.key = tls.clientCertificate.key;
  }
  if (tls.verify && tls.verifyDepth >= 0) {
    const max = tls.verifyDepth;
    options.checkServerIdentity = (host, cert) => {
      const identity = checkServerIdentity(host, cert);
      if (identity !== undefined) return identity;
      const depth = chainDepth(cert);
      if (depth <= max) return undefined;
      return Object.assign(new Error(`certificate chain too long: ${depth} CA certificates above the peer's, tls_verify_depth is ${max}`), {
        code: 'ERR_TLS_CERT_CHAIN_TOO_LONG',
      });
    };
  }
  const connect = buildConnector(options);
  return (opts, callback) => {
    connect(opts, (...args) => {
      const err = args[0];
      if (err !== null && isTlsFailure(err)) reportTlsFailure(origin, err);
      callback(...args);
    });
  };
}
