/**
 * The worker's uWS listener (`--http-front uws`): one catch-all handler (routing is ours,
 * not uWS's), guarded against uWS's chunked-body parsing (uws-guard.ts), and
 * the listen socket kept so it can be closed before the thread exits (a worker torn down
 * with an open uWS listen socket aborts the whole process).
 */
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { UwsModule } from '../lib/uws.js';
import type { HttpFront, RequestHandler } from './http-front.js';
import { guardedUwsHandler } from './uws-guard.js';

export class ProxyServer implements HttpFront {
  readonly #uws: UwsModule;
  #listenSocket: us_listen_socket | null = null;
  #app: TemplatedApp | null = null;

  constructor(uws: UwsModule) {
    this.#uws = uws;
  }

  /** Resolves with the bound port (useful when `port` is 0). */
  listen(host: string, port: number, handler: RequestHandler): Promise<number> {
    const uws = this.#uws;
    const app = uws.App();
    this.#app = app;
    app.any('/*', guardedUwsHandler(handler));
    return new Promise((resolve, reject) => {
      app.listen(host, port, (socket) => {
        if (socket === false) {
          reject(new Error(`cannot listen on ${host}:${port}`));
          return;
        }
        this.#listenSocket = socket;
        resolve(uws.us_socket_local_port(socket));
      });
    });
  }

  /** Stops accepting connections; connections already open keep being served. */
  close(): void {
    if (this.#listenSocket !== null) {
      this.#uws.us_listen_socket_close(this.#listenSocket);
      this.#listenSocket = null;
    }
  }

  /**
   * Closes the listen socket and every connection still open (idle keep-alive ones
   * included). Call before the thread exits: a uWS socket still open when the worker's
   * loop is torn down fails node's `uv_loop_close() while having open handles` check
   * and aborts the whole process (SIGABRT on every SIGTERM with a keep-alive client).
   * `TemplatedApp.close()` exists in this uWS build but is missing from its typings.
   */
  closeAll(): void {
    this.close();
    const app = this.#app as (TemplatedApp & { close?: () => void }) | null;
    this.#app = null;
    app?.close?.();
  }
}
