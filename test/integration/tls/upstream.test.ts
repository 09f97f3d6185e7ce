/**
 * TLS to upstreams (`protocol: https` services) against a local HTTPS server whose
 * certificate a test CA signed: verification on by default with the CA from
 * `ca_certificates`, a wrong CA or the system store -> 502 and a log line naming the
 * reason, a host name the certificate does not cover -> 502, `tls_verify: false`, and
 * `client_certificate` (mTLS) seen by the upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { startGateway, type Gateway } from '../../helpers/gateway.js';
import { Pki, type Pem } from './pki.js';
import { httpGet } from './request.js';

const CA_ID = '7d3b7c1e-0c1f-4f6e-9d52-1b1f0a3c0001';
const WRONG_CA_ID = '7d3b7c1e-0c1f-4f6e-9d52-1b1f0a3c0002';
const CLIENT_ID = '7d3b7c1e-0c1f-4f6e-9d52-1b1f0a3c0003';

let pki: Pki;
let ca: Pem;
let wrongCa: Pem;
let client: Pem;
let server: Server;
let port: number;
let gw: Gateway;

function service(name: string, host: string, extra: Record<string, unknown>): Record<string, unknown> {
  return { name, url: `https://${host}:${port}`, ...extra, routes: [{ name, paths: [`/${name}`] }] };
}

beforeAll(async () => {
  pki = new Pki();
  ca = pki.ca('upstream-ca');
  wrongCa = pki.ca('other-ca');
  const leaf = pki.leaf('upstream', 'upstream-ca', 'upstream.test', ['upstream.test', '127.0.0.1']);
  client = pki.leaf('client', 'upstream-ca', 'gatehouse-client', ['gatehouse-client']);
  server = createServer({ cert: leaf.cert, key: leaf.key, ca: ca.cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    const body = JSON.stringify({
      url: req.url,
      servername: (socket as TLSSocket & { servername?: string | false }).servername ?? null,
      clientCn: peer.subject?.CN ?? null,
      clientAuthorized: socket.authorized,
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const config = {
    _format_version: '3.0',
    ca_certificates: [
      { id: CA_ID, cert: ca.cert },
      { id: WRONG_CA_ID, cert: wrongCa.cert },
    ],
    certificates: [{ id: CLIENT_ID, cert: client.cert, key: client.key }],
    services: [
      service('good', '127.0.0.1', { ca_certificates: [CA_ID] }),
      service('wrong', '127.0.0.1', { ca_certificates: [WRONG_CA_ID] }),
      service('system', '127.0.0.1', {}),
      service('noverify', '127.0.0.1', { ca_certificates: [WRONG_CA_ID], tls_verify: false }),
      service('badname', 'localhost', { ca_certificates: [CA_ID] }),
      service('mtls', '127.0.0.1', { ca_certificates: [CA_ID], client_certificate: { id: CLIENT_ID } }),
      service('depth', '127.0.0.1', { ca_certificates: [CA_ID], tls_verify_depth: 0 }),
    ],
  };
  gw = await startGateway(JSON.stringify(config), { workers: 1 });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  pki?.remove();
});

describe('TLS to upstreams', () => {
  it('verifies the upstream with the service CA', async () => {
    const res = await httpGet(gw.port, '/good/x', 'gw.test');
    expect(res.status).toBe(200);
    const echoed = JSON.parse(res.body) as { url: string; clientCn: string | null };
    expect(echoed.url).toBe('/x');
    expect(echoed.clientCn).toBeNull();
  });

  it('answers 502 when a wrong CA cannot verify the upstream, and logs why', async () => {
    const res = await httpGet(gw.port, '/wrong/x', 'gw.test');
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toEqual({ message: 'An invalid response was received from the upstream server' });
    await expect.poll(() => gw.output(), { timeout: 5000 }).toMatch(new RegExp(`"origin":"https://127.0.0.1:${port}","code":"(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)","msg":"upstream TLS verification failed`));
  });

  it('verifies by default against the system store (which does not know the test CA)', async () => {
    expect((await httpGet(gw.port, '/system/x', 'gw.test')).status).toBe(502);
  });

  it('checks the host name against the certificate', async () => {
    expect((await httpGet(gw.port, '/badname/x', 'gw.test')).status).toBe(502);
    await expect.poll(() => gw.output(), { timeout: 5000 }).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('skips verification with tls_verify: false', async () => {
    expect((await httpGet(gw.port, '/noverify/x', 'gw.test')).status).toBe(200);
  });

  it('presents client_certificate to the upstream (mTLS)', async () => {
    const res = await httpGet(gw.port, '/mtls/x', 'gw.test');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ clientCn: 'gatehouse-client', clientAuthorized: true });
  });

  it('accepts a chain within tls_verify_depth (a leaf signed by the root: depth 0)', async () => {
    expect((await httpGet(gw.port, '/depth/x', 'gw.test')).status).toBe(200);
  });
});
