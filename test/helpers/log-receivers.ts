/**
 * Local receivers for the log and tracing plugin suites, each on 127.0.0.1 ephemeral
 * ports (or a unix socket in a temp dir), recording what arrives:
 *
 *   startHttpReceiver    node:http; answers `status` (changeable), optionally after a delay
 *   startTcpReceiver     lines over TCP connections
 *   startUdpReceiver     datagrams
 *   startUnixReceiver    lines on a unix stream socket (logger falls back to a stream
 *                        socket as syslog(3) does)
 *   refusedPort          a port nothing listens on
 */
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';

export interface HttpDelivery {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface HttpReceiver {
  readonly url: string;
  readonly port: number;
  readonly deliveries: HttpDelivery[];
  /** Status to answer from now on (delivery attempts are recorded whatever it is). */
  status: number;
  /** Milliseconds to wait before answering. */
  delayMs: number;
  close(): Promise<void>;
}

function closeAll(server: { close(cb: () => void): unknown }, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
}

function trackSockets(server: { on(event: 'connection', cb: (s: Socket) => void): unknown }): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

export async function startHttpReceiver(status = 200): Promise<HttpReceiver> {
  const deliveries: HttpDelivery[] = [];
  const state = { status, delayMs: 0 };
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const answer = (): void => {
        if (!res.writable) return;
        res.writeHead(state.status, { 'content-type': 'text/plain' });
        res.end(state.status < 300 ? 'ok' : 'nope');
      };
      if (state.delayMs > 0) setTimeout(answer, state.delayMs);
      else answer();
    });
  });
  const sockets = trackSockets(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    deliveries,
    get status() {
      return state.status;
    },
    set status(v: number) {
      state.status = v;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v: number) {
      state.delayMs = v;
    },
    close: () => closeAll(server, sockets),
  };
}

export interface LineReceiver {
  readonly port: number;
  readonly lines: string[];
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

async function lineServer(listen: (server: ReturnType<typeof createNetServer>) => Promise<number>, options: { paused?: boolean } = {}): Promise<LineReceiver> {
  const lines: string[] = [];
  let connections = 0;
  const server = createNetServer((socket) => {
    connections++;
    if (options.paused === true) {
      // A receiver that accepts and never reads: the sender's writes back up.
      socket.pause();
      return;
    }
    let rest = '';
    socket.on('data', (d: Buffer) => {
      const parts = (rest + d.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l !== ''));
    });
    socket.on('error', () => undefined);
  });
  const sockets = trackSockets(server);
  const port = await listen(server);
  return {
    port,
    lines,
    get connections() {
      return connections;
    },
    close: () => closeAll(server, sockets),
  };
}

export function startTcpReceiver(options: { paused?: boolean } = {}): Promise<LineReceiver> {
  return lineServer(
    (server) =>
      new Promise((resolve) => {
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      }),
    options,
  );
}

/** Lines on a unix stream socket at `path`. */
export function startUnixReceiver(path: string): Promise<LineReceiver> {
  return lineServer(
    (server) =>
      new Promise((resolve) => {
        server.listen(path, () => resolve(0));
      }),
  );
}

export interface DatagramReceiver {
  readonly port: number;
  readonly datagrams: string[];
  close(): Promise<void>;
}

export async function startUdpReceiver(): Promise<DatagramReceiver> {
  const datagrams: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (msg) => datagrams.push(msg.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    datagrams,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** A loopback port with no listener (connections are refused). */
export async function refusedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
