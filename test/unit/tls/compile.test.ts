import { describe, expect, it } from 'vitest';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import type { NormalizedCertificate, NormalizedConfig, NormalizedService } from '../../../core/config/types.js';
import { compileTls, compileTlsListener, compileUpstreamTls } from '../../../core/tls/compile.js';
import { SniTable } from '../../../core/tls/sni-match.js';
import { chainDepth } from '../../../core/tls/upstream-connect.js';
import { withPemFiles } from '../../../core/tls/pem-files.js';
import { readDefaultCertificate } from '../../../core/tls/settings.js';
import { Pki } from '../../integration/tls/pki.js';

function cert(id: string, snis: string[]): NormalizedCertificate {
  return { id, cert: `CERT ${id}`, key: `KEY ${id}`, cert_alt: null, key_alt: null, snis, tags: [] };
}

function service(id: string, extra: Partial<NormalizedService> = {}): NormalizedService {
  return {
    id, name: id, protocol: 'https', host: 'up.test', port: 443, path: null, retries: 5,
    connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, enabled: true, tags: [], upstream: null,
    tls_verify: null, tls_verify_depth: null, ca_certificates: null, client_certificate: null, ...extra,
  };
}

function config(extra: Partial<NormalizedConfig>): NormalizedConfig {
  return { _format_version: '3.0', services: [], routes: [], upstreams: [], consumers: [], plugins: [], filter_chains: [], certificates: [], snis: [], ca_certificates: [], ...extra };
}

describe('compileTlsListener', () => {
  it('is null without SNIs (a certificate alone is not served)', () => {
    expect(compileTlsListener(config({ certificates: [cert('c1', [])] }))).toBeNull();
  });

  it('keeps only certificates bound to SNIs; the first of them is the default', () => {
    const table = compileTlsListener(config({
      certificates: [cert('client', []), cert('a', ['a.test']), cert('b', ['*.b.test', 'shop.*'])],
      snis: [
        { id: '1', name: 'a.test', certificate: 'a', tags: [] },
        { id: '2', name: '*.b.test', certificate: 'b', tags: [] },
        { id: '3', name: 'shop.*', certificate: 'b', tags: [] },
      ],
    }));
    expect(table?.certificates).toEqual([{ cert: 'CERT a', key: 'KEY a' }, { cert: 'CERT b', key: 'KEY b' }]);
    expect(table?.snis).toEqual([{ name: 'a.test', certificate: 0 }, { name: '*.b.test', certificate: 1 }, { name: 'shop.*', certificate: 1 }]);
    expect(table?.defaultCertificate).toBe(0);
  });

  it('changes its hash when a certificate changes, and only then', () => {
    const make = (pem: string) => {
      const c = { ...cert('a', ['a.test']), cert: pem };
      return compileTlsListener(config({ certificates: [c], snis: [{ id: '1', name: 'a.test', certificate: 'a', tags: [] }] }))?.hash;
    };
    expect(make('one')).toBe(make('one'));
    expect(make('one')).not.toBe(make('two'));
  });
});

describe('compileUpstreamTls', () => {
  const cas = [{ id: 'ca1', cert: 'CA ONE', cert_digest: 'x', tags: [] }];
  it('is null for http services', () => {
    expect(compileUpstreamTls(service('s', { protocol: 'http' }), config({}))).toBeNull();
  });

  it('verifies by default, against the system store, with no depth limit', () => {
    expect(compileUpstreamTls(service('s'), config({}))).toMatchObject({ verify: true, verifyDepth: -1, ca: null, clientCertificate: null });
  });

  it('resolves CA certificates and the client certificate; the pool key follows the settings', () => {
    const c = config({ ca_certificates: cas, certificates: [cert('client', [])] });
    const tls = compileUpstreamTls(service('s', { ca_certificates: ['ca1'], client_certificate: 'client', tls_verify_depth: 2 }), c);
    expect(tls).toMatchObject({ verify: true, verifyDepth: 2, ca: ['CA ONE'], clientCertificate: { cert: 'CERT client', key: 'KEY client' } });
    const off = compileUpstreamTls(service('s', { ca_certificates: ['ca1'], client_certificate: 'client', tls_verify_depth: 2, tls_verify: false }), c);
    expect(off?.verify).toBe(false);
    expect(off?.key).not.toBe(tls?.key);
  });

  it('indexes services as compileProxyTables placed them', () => {
    const tls = compileTls(config({ services: [service('a', { protocol: 'http' }), service('b')] }), new Map([['a', 1], ['b', 0]]), 2);
    expect(tls.services[0]).not.toBeNull();
    expect(tls.services[1]).toBeNull();
  });
});

describe('SniTable (Kong order: exact, leading wildcard, trailing wildcard)', () => {
  const table = new SniTable<string>([['a.example.com', 'exact'], ['*.example.com', 'prefix'], ['shop.*', 'suffix'], ['*.shop.org', 'prefix2']]);
  it.each([
    ['a.example.com', 'exact'],
    ['A.Example.COM', 'exact'],
    ['b.example.com', 'prefix'],
    ['x.b.example.com', undefined],
    ['example.com', undefined],
    ['shop.net', 'suffix'],
    ['www.shop.org', 'prefix2'],
    ['shop.org', 'suffix'],
    ['nothing.test', undefined],
  ])('%s -> %s', (name, expected) => {
    expect(table.find(name)).toBe(expected);
  });
});

describe('chainDepth', () => {
  function chain(length: number): PeerCertificate {
    const certs = Array.from({ length }, (_, i) => ({ fingerprint256: `fp${i}` }) as Record<string, unknown>);
    certs.forEach((c, i) => (c['issuerCertificate'] = certs[i + 1] ?? c));
    return certs[0] as unknown as PeerCertificate;
  }
  it('counts CA certificates above the peer, the self-signed anchor excluded', () => {
    expect(chainDepth(chain(1))).toBe(0);
    expect(chainDepth(chain(2))).toBe(0);
    expect(chainDepth(chain(3))).toBe(1);
    expect(chainDepth(chain(5))).toBe(3);
  });
});

describe('withPemFiles', () => {
  it('writes private 0600 files that are gone afterwards, even on a throw', () => {
    let seen: string[] = [];
    withPemFiles([{ cert: 'C', key: 'K' }], (paths) => {
      seen = [paths[0]?.cert_file_name ?? '', paths[0]?.key_file_name ?? ''];
      for (const p of seen) expect(statSync(p).mode & 0o777).toBe(0o600);
    });
    for (const p of seen) expect(existsSync(p)).toBe(false);
    expect(() => withPemFiles([{ cert: 'C', key: 'K' }], (paths) => {
      seen = [paths[0]?.key_file_name ?? ''];
      throw new Error('boom');
    })).toThrow('boom');
    expect(existsSync(seen[0] ?? '')).toBe(false);
  });
});

describe('readDefaultCertificate', () => {
  it('reads a matching pair and reports bad ones', () => {
    const pki = new Pki();
    try {
      pki.ca('ca');
      const a = pki.leaf('a', 'ca', 'a.test', ['a.test']);
      const b = pki.leaf('b', 'ca', 'b.test', ['b.test']);
      writeFileSync(pki.path('junk.pem'), 'not a pem');
      expect(readDefaultCertificate(null, null)).toBeNull();
      expect(readDefaultCertificate(pki.path('a.crt'), pki.path('a.key'))).toEqual(a);
      expect(readDefaultCertificate(pki.path('a.crt'), pki.path('b.key'))).toMatch(/does not match/);
      expect(readDefaultCertificate(pki.path('junk.pem'), pki.path('a.key'))).toMatch(/invalid PEM certificate/);
      expect(readDefaultCertificate(pki.path('missing.crt'), pki.path('a.key'))).toMatch(/cannot read/);
      expect(b.cert).not.toBe(a.cert);
    } finally {
      pki.remove();
    }
  });
});
