/**
 * The strict front: a node:net listener whose connections parse HTTP/1.x themselves
 * (connection.ts) and hand each request to the pipeline through the uWS-shaped contract
 * of http-front.ts.
 *
 * Every worker thread binds the same port with SO_REUSEPORT, as uSockets does, so the
 * kernel spreads connections over the workers. Node 20's net has no reusePort option
 * (it came in 22.12): node-unix-socket creates the bound socket and net.Server listens on
 * its fd (a socket shared between threads by fd would be closed for all of them by the
 * first thread that exits).
 */
import { createRequire } from 'node:module';
import { lookup } from 'node:dns/promises';
import { isIP, createServer, type Server, type Socket } from 'node:net';
import { coarseNow } from '../../lib/clock.js';
import type { HttpFront, RequestHandler } from '../http-front.js';
import type { WorkerLimits } from '../types.js';
import { StrictConnection, type ConnectionOwner } from './connection.js';
import { refreshDate } from './wire.js';

const SWEEP_MS = 1000;
/** Room for the request line and the final CRLFs on top of the header limit. */
const HEAD_SLACK = 1024;

interface ReuseportAddon {
  createReuseportFd(port?: number, host?: string): number;
}

let addon: ReuseportAddon | null = null;

function reuseportFd(port: number, host: string): number {
  addon ??= createRequire(import.meta.url)('node-unix-socket') as ReuseportAddon;
  return addon.createReuseportFd(port, host);
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
