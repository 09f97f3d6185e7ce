/**
 * The bench upstreams load uWS exactly as the gateway does (native binary, no silent
 * pure-JS fallback): one loader, in core/lib/uws.ts. `listenApp` is their shared listen:
 * the bound port and an idempotent close.
 */
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { UwsModule } from '../../core/lib/uws.js';

export { loadUws, type UwsModule } from '../../core/lib/uws.js';

export interface ListeningApp {
  port: number;
  close(): void;
}

/** Listens on host:port (0: any free port); rejects naming `label` when it cannot. */
export function listenApp(uws: UwsModule, app: TemplatedApp, host: string, port: number, label: string): Promise<ListeningApp> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket: us_listen_socket | false) => {
      if (socket === false) {
        reject(new Error(`${label} could not listen on ${host}:${port}`));
        return;
      }
      let open = true;
      resolve({
        port: uws.us_socket_local_port(socket as never),
        close() {
          if (!open) return;
          open = false;
          uws.us_listen_socket_close(socket);
        },
      });
    });
  });
}
