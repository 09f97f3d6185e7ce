/**
 * The worker's HTTPS listener: a uWS SSLApp serving the default certificate, plus one
 * SNI context per configured server name (`addServerName`), each with its own uWS
 * domain router pointing at the same catch-all handler.
 *
 * Certificate changes on reload build a new SSLApp and swap listen sockets (the new one
 * binds the port with SO_REUSEPORT before the old one closes), instead of
 * `removeServerName`/`addServerName` on the live app: in this uWS build
 * `removeServerName` deletes the name's domain router while connections that
 * negotiated that name still point at it through their SSL_CTX, so their next
 * request would route through freed memory. The old app keeps serving the connections
 * it accepted (with the old certificates, as nginx's old workers do) and is closed
 * with the others when the worker exits.
 *
 *   apply(table) ── same hash ──► nothing
 *        │ changed
 *        ▼
 *   new SSLApp(default) + addServerName/domain per SNI ─► listen(port) ─► HANDOVER_MS ─► close old listen socket
 *
 * The old socket closes a moment after the new one is bound, not at once: the kernel
 * resets connections still queued on a SO_REUSEPORT socket that closes, and while this
 * worker was busy building contexts some landed there. One turn of the loop accepts them.
 */
import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { CompiledPemPair, CompiledTlsListener } from '../compile/types.js';
import type { UwsModule } from '../lib/uws.js';
import { withPemFiles, type PemPaths } from './pem-files.js';
import { SniTable } from './sni-match.js';

export interface TlsListenerOptions {
  host: string;
  /** 0 = ephemeral (then a certificate change briefly closes the port: no SO_REUSEPORT on port 0). */
  port: number;
  /** The process-wide default certificate (`--ssl-cert`), or null: the config's is used. */
  defaultCertificate: CompiledPemPair | null;
}

type Handler = (res: HttpResponse, req: HttpRequest) => void;

/** How long the replaced listen socket stays open so its backlog is accepted before it closes. */
const HANDOVER_MS = 100;

/** Names added on demand for mixed-case SNIs, per app: bounds what a client can make us allocate. */
const MAX_LAZY_NAMES = 256;

export class TlsListener {
  readonly #uws: UwsModule;
  readonly #options: TlsListenerOptions;
  readonly #handler: Handler;
  #app: TemplatedApp | null = null;
  #socket: us_listen_socket | null = null;
  #hash: string | null = null;
  #port: number;
  /** Apps replaced by a certificate change: still serving the connections they accepted. */
  readonly #retired: TemplatedApp[] = [];
  /** Replaced listen sockets waiting for HANDOVER_MS before they close. */
  readonly #handover = new Map<us_listen_socket, ReturnType<typeof setTimeout>>();

  constructor(uws: UwsModule, options: TlsListenerOptions, handler: Handler) {
    this.#uws = uws;
    this.#options = options;
    this.#handler = handler;
    this.#port = options.port;
  }

  /** The bound port, or the configured one before the first listen. */
  get port(): number {
    return this.#port;
  }

  get listening(): boolean {
    return this.#socket !== null;
  }

  /**
   * Serves `table` (null: no certificate in the config). Without any certificate the
   * listener stops accepting. Throws when the port cannot be bound; the previous
   * app, if any, keeps serving.
   */
  apply(table: CompiledTlsListener | null): void {
    const fallback = table === null ? undefined : table.certificates[table.defaultCertificate];
    const defaultPair = this.#options.defaultCertificate ?? fallback;
    if (defaultPair === undefined) {
      this.close();
      this.#hash = null;
      return;
    }
    const hash = createHash('sha256')
      .update(table?.hash ?? '')
      .update(this.#options.defaultCertificate === null ? '' : 'process-default')
      .digest('hex');
    if (this.#socket !== null && hash === this.#hash) return;
    const app = this.#build(defaultPair, table);
    let socket = this.#listen(app);
    if (socket === null && this.#socket !== null && this.#options.port === 0) {
      // The old socket holds the port without SO_REUSEPORT (port 0): hand it over.
      this.close();
      socket = this.#listen(app);
    }
    if (socket === null) {
      closeApp(app);
      throw new Error(`cannot listen on ${this.#options.host}:${this.#port} (TLS)`);
    }
    this.#handOver();
    this.#app = app;
    this.#socket = socket;
    this.#hash = hash;
    this.#port = this.#uws.us_socket_local_port(socket);
  }

  #build(defaultPair: CompiledPemPair, table: CompiledTlsListener | null): TemplatedApp {
    const handler = this.#handler;
    const certificates = table?.certificates ?? [];
    return withPemFiles([defaultPair, ...certificates], ([defaultPaths, ...paths]) => {
      const app = this.#uws.SSLApp(defaultPaths as PemPaths);
      // The default router first: domain() below moves registration to SNI routers.
      app.any('/*', handler);
      for (const sni of table?.snis ?? []) {
        const options = paths[sni.certificate];
        if (options === undefined) continue;
        app.addServerName(sni.name, options);
        app.domain(sni.name).any('/*', handler);
      }
      if (table !== null) this.#lazyNames(app, table);
      return app;
    });
  }

  /**
   * uSockets matches server names case-sensitively; Kong does not. A mixed-case name it
   * does not know reaches `missingServerName` (synchronously, inside the handshake):
   * when its lower-case form matches a configured SNI, that name is added with the same
   * certificate, and uSockets looks it up again. Unknown names get the default.
   */
  #lazyNames(app: TemplatedApp, table: CompiledTlsListener): void {
    const sniTable = new SniTable(table.snis.map((s) => [s.name, s.certificate] as const));
    let added = 0;
    app.missingServerName((hostname) => {
      if (added >= MAX_LAZY_NAMES || hostname === hostname.toLowerCase()) return;
      const index = sniTable.find(hostname);
      const pair = index === undefined ? undefined : table.certificates[index];
      if (pair === undefined) return;
      added++;
      withPemFiles([pair], ([paths]) => {
        app.addServerName(hostname, paths as PemPaths);
        app.domain(hostname).any('/*', this.#handler);
      });
    });
  }

  #listen(app: TemplatedApp): us_listen_socket | null {
    let bound: us_listen_socket | null = null;
    // uWS calls back synchronously from listen().
    app.listen(this.#options.host, this.#port, (socket) => {
      bound = socket === false ? null : socket;
    });
    return bound;
  }

  /** Retires the current app; its listen socket closes after HANDOVER_MS. */
  #handOver(): void {
    const socket = this.#socket;
    if (socket !== null) {
      this.#socket = null;
      const timer = setTimeout(() => {
        this.#handover.delete(socket);
        this.#uws.us_listen_socket_close(socket);
      }, HANDOVER_MS);
      this.#handover.set(socket, timer);
    }
    if (this.#app !== null) {
      this.#retired.push(this.#app);
      this.#app = null;
    }
  }

  /** Stops accepting; the connections already open keep being served. */
  close(): void {
    for (const [socket, timer] of this.#handover) {
      clearTimeout(timer);
      this.#uws.us_listen_socket_close(socket);
    }
    this.#handover.clear();
    if (this.#socket !== null) {
      this.#uws.us_listen_socket_close(this.#socket);
      this.#socket = null;
    }
    if (this.#app !== null) {
      this.#retired.push(this.#app);
      this.#app = null;
    }
  }

  /** Closes the listen socket and every connection of every app (see ProxyServer.closeAll). */
  closeAll(): void {
    this.close();
    for (const app of this.#retired.splice(0)) closeApp(app);
  }
}

function closeApp(app: TemplatedApp): void {
  // `TemplatedApp.close()` exists in this uWS build but is missing from its typings.
  (app as TemplatedApp & { close?: () => void }).close?.();
}
