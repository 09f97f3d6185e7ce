/**
 * The strict front: a node:net listener whose connections parse HTTP/1.x themselves
 * (connection.ts) and hand each request to the pipeline through the uWS-shaped contract
 * of http-front.ts.
 *
 * Every worker thread binds the same port with SO_REUSEPORT, as uSockets does, so the
 * kernel spreads connections over the workers. Node 20's net has no reusePort option
 * (it came in 22.12): node-unix-socket's native binding creates the bound socket and
 * net.Server listens on its fd (a socket shared between threads by fd would be closed for
 * all of them by the first thread that exits). The binding is loaded directly from its
 * platform package (linux-x64-gnu): the wrapper package lists optional platform packages
 * that were never published, which breaks `npm ci`. A platform without the binding fails
 * at start, naming `--http-front uws` as the way out — never a silent fallback.
 */
import { createRequire } from 'node:module';
import { lookup } from 'node:dns/promises';
import { isIP, isIPv4, createServer, type Server, type Socket } from 'node:net';
import { isMainThread } from 'node:worker_threads';
import { coarseNow } from '../../lib/clock.js';
import type { HttpFront, RequestHandler } from '../http-front.js';
import type { WorkerLimits } from '../types.js';
import { StrictConnection, type ConnectionOwner } from './connection.js';
import { refreshDate } from './wire.js';

const SWEEP_MS = 1000;
/** Room for the request line and the final CRLFs on top of the header limit. */
const HEAD_SLACK = 1024;

interface ReuseportBinding {
  socketNewSoReuseportFd(domain: 'ipv4' | 'ipv6', port: number, host: string): number;
  /** Releases the binding's libuv handles when a worker thread ends (else Node aborts). */
  initCleanupHook(): void;
}

const BINDING = 'node-unix-socket-linux-x64-gnu';
let binding: ReuseportBinding | null = null;

function loadBinding(): ReuseportBinding {
  if (binding !== null) return binding;
  let loaded: ReuseportBinding;
  try {
    loaded = createRequire(import.meta.url)(BINDING) as ReuseportBinding;
  } catch (err) {
    throw new Error(
      `the strict HTTP front needs SO_REUSEPORT through ${BINDING} (Linux x64, glibc), which did not load on ${process.platform}-${process.arch}: ${err instanceof Error ? err.message : String(err)}; start with --http-front uws instead`,
    );
  }
  if (!isMainThread) loaded.initCleanupHook();
  binding = loaded;
  return loaded;
}

function reuseportFd(port: number, host: string): number {
  return loadBinding().socketNewSoReuseportFd(isIPv4(host) ? 'ipv4' : 'ipv6', port, host);
}

export class StrictFront implements HttpFront, ConnectionOwner {
  handler: RequestHandler = () => undefined;
  readonly maxHeadBytes: number;
  readonly maxRequestLine: number;
  readonly #connections = new Set<StrictConnection>();
  #server: Server | null = null;
  #sweep: NodeJS.Timeout | null = null;

  constructor(limits: WorkerLimits) {
    // The pipeline answers 414/431 from the same limits once the head is parsed; these
    // caps stop a head that never ends from growing without bound.
    this.maxRequestLine = limits.maxUrlLength + HEAD_SLACK;
    this.maxHeadBytes = limits.maxUrlLength + limits.maxHeaderBytes + HEAD_SLACK;
  }

  async listen(host: string, port: number, handler: RequestHandler): Promise<number> {
    this.handler = handler;
    const address = isIP(host) === 0 ? (await lookup(host)).address : host;
    const fd = reuseportFd(port, address);
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket: Socket) => {
      this.#connections.add(new StrictConnection(socket, this));
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ fd }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#sweep = setInterval(() => this.#sweepAll(), SWEEP_MS);
    this.#sweep.unref();
    const bound = server.address();
    return typeof bound === 'object' && bound !== null ? bound.port : port;
  }

  forget(conn: StrictConnection): void {
    this.#connections.delete(conn);
  }

  close(): void {
    this.#server?.close();
    this.#server = null;
  }

  closeAll(): void {
    this.close();
    if (this.#sweep !== null) clearInterval(this.#sweep);
    this.#sweep = null;
    for (const conn of this.#connections) conn.destroy();
    this.#connections.clear();
  }

  #sweepAll(): void {
    const now = coarseNow();
    refreshDate(Date.now());
    for (const conn of this.#connections) conn.sweep(now);
  }
}
