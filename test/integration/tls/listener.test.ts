/**
 * The HTTPS listener through the real CLI (two workers on one TLS port): SNI selection
 * with a test CA, the default certificate, https-only routes and their redirects,
 * X-Forwarded-Proto/Port, and a reload that swaps one SNI's certificate while a
 * keep-alive connection made before it keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { startUpstream, type TestUpstream } from '../../helpers/upstream.js';
import { Pki, type Pem } from './pki.js';
import { httpGet, httpsGet, peerCommonName, readySslPort } from './request.js';

const REDIRECTS = [301, 302, 307, 308] as const;

let pki: Pki;
let ca: Pem;
let certA: Pem;
let certA2: Pem;
let certB: Pem;
let upstream: TestUpstream;
let gw: Gateway;
let tlsPort: number;

function config(aCert: Pem): string {
  return JSON.stringify({
    _format_version: '3.0',
    services: [
      {
        name: 'echo',
        url: upstream.url,
        routes: [
          { name: 'both', paths: ['/both'], protocols: ['http', 'https'] },
          { name: 'secure', paths: ['/secure'], protocols: ['https'] },
          ...REDIRECTS.map((code) => ({ name: `r${code}`, paths: [`/r${code}`], protocols: ['https'], https_redirect_status_code: code })),
        ],
      },
    ],
    certificates: [
      { cert: aCert.cert, key: aCert.key, snis: ['a.test'] },
      { cert: certB.cert, key: certB.key, snis: [{ name: '*.b.test' }] },
    ],
  });
}

beforeAll(async () => {
  pki = new Pki();
  ca = pki.ca('test-ca');
  certA = pki.leaf('a', 'test-ca', 'a.test', ['a.test']);
  certA2 = pki.leaf('a2', 'test-ca', 'a.test v2', ['a.test']);
  certB = pki.leaf('b', 'test-ca', 'wild.b.test', ['*.b.test']);
  const fallback = pki.leaf('default', 'test-ca', 'default.test', ['default.test']);
  writeFileSync(pki.path('default.pem'), fallback.cert);
  writeFileSync(pki.path('default-key.pem'), fallback.key);
  upstream = await startUpstream();
  gw = await startGateway(config(certA), {
    workers: 2,
    args: ['--proxy-ssl-listen', '127.0.0.1:0', '--ssl-cert', pki.path('default.pem'), '--ssl-cert-key', pki.path('default-key.pem')],
  });
  const port = readySslPort(gw.output());
  if (port === null) throw new Error(`no proxy_ssl in the ready line:\n${gw.output()}`);
  tlsPort = port;
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
  pki?.remove();
});

describe('HTTPS listener', () => {
  it('serves each SNI its own certificate, wildcards included', async () => {
    expect(await peerCommonName(tlsPort, 'a.test')).toBe('a.test');
    expect(await peerCommonName(tlsPort, 'x.b.test')).toBe('wild.b.test');
    expect(await peerCommonName(tlsPort, 'y.b.test')).toBe('wild.b.test');
    // One label only, as Kong: the wildcard does not cover the bare domain.
    expect(await peerCommonName(tlsPort, 'b.test')).toBe('default.test');
  });

  it('matches server names case-insensitively', async () => {
    expect(await peerCommonName(tlsPort, 'A.Test')).toBe('a.test');
    expect(await peerCommonName(tlsPort, 'X.B.Test')).toBe('wild.b.test');
  });

  it('serves the default certificate without SNI and for unknown names', async () => {
    expect(await peerCommonName(tlsPort, undefined)).toBe('default.test');
    expect(await peerCommonName(tlsPort, 'unknown.test')).toBe('default.test');
  });

  it('proxies over https with a chain the test CA verifies, X-Forwarded-Proto https', async () => {
    for (const servername of ['a.test', 'x.b.test']) {
      const res = await httpsGet(tlsPort, '/secure/x?q=1', { servername, ca: ca.cert });
      expect(res.status).toBe(200);
      const echoed = JSON.parse(res.body) as { url: string; headers: Record<string, string> };
      expect(echoed.url).toBe('/x?q=1');
      expect(echoed.headers['x-forwarded-proto']).toBe('https');
      expect(echoed.headers['x-forwarded-port']).toBe(String(tlsPort));
      expect(echoed.headers['x-forwarded-host']).toBe(servername);
    }
  });

  it('answers 426 to an https-only route over plain http', async () => {
    const res = await httpGet(gw.port, '/secure/x', 'a.test');
    expect(res.status).toBe(426);
    expect(JSON.parse(res.body)).toEqual({ message: 'Please use HTTPS protocol' });
  });

  it('keeps X-Forwarded-Proto http on the plain listener', async () => {
    const res = await httpGet(gw.port, '/both', 'a.test');
    expect(res.status).toBe(200);
    const echoed = JSON.parse(res.body) as { headers: Record<string, string> };
    expect(echoed.headers['x-forwarded-proto']).toBe('http');
    expect(echoed.headers['x-forwarded-port']).toBe(String(gw.port));
  });

  it.each(REDIRECTS)('redirects with https_redirect_status_code %i to the TLS port', async (code) => {
    const res = await httpGet(gw.port, `/r${code}/page?a=1&b=2`, `shop.test:${gw.port}`);
    expect(res.status).toBe(code);
    expect(res.headers.location).toBe(`https://shop.test:${tlsPort}/r${code}/page?a=1&b=2`);
    // The target answers over https.
    const followed = await httpsGet(tlsPort, `/r${code}/page?a=1&b=2`, { servername: 'a.test', host: 'shop.test', ca: ca.cert });
    expect(followed.status).toBe(200);
  });

  it('swaps an SNI certificate on reload; connections made before keep working', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await httpsGet(tlsPort, '/secure/keep', { servername: 'a.test', ca: ca.cert, agent });
      expect(before.status).toBe(200);
      gw.reload(config(certA2));
      const deadline = Date.now() + 10_000;
      let seen = new Set<string>();
      // Two workers: wait until new connections see the new certificate on both.
      while (Date.now() < deadline) {
        seen = new Set(await Promise.all(Array.from({ length: 8 }, () => peerCommonName(tlsPort, 'a.test'))));
        if (seen.size === 1 && seen.has('a.test v2')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect([...seen]).toEqual(['a.test v2']);
      expect(await peerCommonName(tlsPort, 'x.b.test')).toBe('wild.b.test');
      expect(await peerCommonName(tlsPort, undefined)).toBe('default.test');
      const after = await httpsGet(tlsPort, '/secure/keep', { servername: 'a.test', ca: ca.cert, agent });
      expect(after.status).toBe(200);
      expect(after.localPort).toBe(before.localPort);
    } finally {
      agent.destroy();
    }
  });
});
