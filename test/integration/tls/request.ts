/** Small HTTP(S) clients for TLS tests: exact control over SNI, Host and trust. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest, type Agent } from 'node:https';
import { connect } from 'node:tls';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Client-side port of the connection that carried the request. */
  localPort: number;
}

export interface HttpsOptions {
  servername?: string;
  host?: string;
  ca?: string;
  agent?: Agent;
}

export function httpsGet(port: number, path: string, options: HttpsOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        headers: { host: options.host ?? options.servername ?? 'localhost' },
        servername: options.servername ?? '',
        ...(options.ca === undefined ? { rejectUnauthorized: false } : { ca: options.ca, checkServerIdentity: () => undefined }),
        agent: options.agent ?? false,
      },
      (res) => {
        let body = '';
        // Read now: a keep-alive agent detaches the socket from the response at its end.
        const localPort = res.socket.localPort ?? 0;
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, localPort }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export function httpGet(port: number, path: string, host: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, localPort: res.socket.localPort ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The subject CN of the certificate the server presents for `servername` (undefined: no SNI). */
export function peerCommonName(port: number, servername: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(servername === undefined ? {} : { servername }) }, () => {
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.destroy();
      resolve(Array.isArray(cn) ? cn.join(',') : String(cn));
    });
    socket.on('error', reject);
  });
}

/** The port in the `gatehouse ready` line's `proxy_ssl` (HOST:PORT), or null. */
export function readySslPort(output: string): number | null {
  for (const line of output.split('\n')) {
    if (!line.includes('gatehouse ready')) continue;
    const ssl = (JSON.parse(line) as { proxy_ssl?: string | null }).proxy_ssl ?? null;
    return ssl === null ? null : Number(ssl.split(':').pop());
  }
  return null;
}
