/**
 * A throwaway PKI for TLS tests, made with the `openssl` CLI in a temp dir: a CA and
 * leaf certificates it signs (with subjectAltNames), as PEM strings.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
}

export class Pki {
  readonly dir = mkdtempSync(join(tmpdir(), 'gatehouse-pki-'));
  #serial = 1;

  #openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** A self-signed CA (basicConstraints CA:TRUE). */
  ca(name: string): Pem {
    this.#openssl([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return this.#read(name);
  }

  /** A leaf for `cn` signed by `ca` (made by this Pki), valid for `sans` (DNS names or IPs). */
  leaf(name: string, ca: string, cn: string, sans: string[]): Pem {
    const alt = sans.map((s) => (/^[0-9.]+$/.test(s) ? `IP:${s}` : `DNS:${s}`)).join(',');
    writeFileSync(join(this.dir, `${name}.ext`), `subjectAltName=${alt}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n`);
    this.#openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    this.#openssl([
      'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', String(this.#serial++),
      '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`,
    ]);
    return this.#read(name);
  }

  #read(name: string): Pem {
    return { cert: readFileSync(join(this.dir, `${name}.crt`), 'utf8'), key: readFileSync(join(this.dir, `${name}.key`), 'utf8') };
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A PEM as an indented YAML block scalar. */
export function yamlBlock(pem: string, indent: number): string {
  const pad = ' '.repeat(indent);
  return `|\n${pem.trim().split('\n').map((line) => pad + line).join('\n')}`;
}
