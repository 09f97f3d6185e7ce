/**
 * The keep-alive pool of one upstream origin in one worker: the HTTP/1.1 client of the
 * proxy path, a drop-in for the undici Pool there (core/proxy/upstream-pool.ts).
 *
 *   dispatch ──► head built and checked once ──► handler.onConnect(abort)
 *            ──► the most recently used idle connection (LIFO: the warmest socket, and the
 *                surplus ones age out), else a new connection (up to CONNECTIONS_PER_ORIGIN),
 *                else the wait queue, served as connections come back
 *
 * Why not undici here: measured on one core (GET /, 64 connections), a uWS front with
 * undici reached 0.60x nginx and the same front with a plain socket pool 0.96x. undici's
 * per-request cost is its generality: a Request object with header validation, llhttp
 * callbacks through wasm, and every reused socket's idle check deferred to setImmediate.
 * This pool does one head build, one write, and parses in place.
 */
import type { UpstreamHandler, UpstreamPool, UpstreamRequest } from '../upstream-pool.js';
import { H1Connection, type ConnectionOwner } from './connection.js';
import { H1Code, H1Error } from './errors.js';
import { CONNECTIONS_PER_ORIGIN, KEEP_ALIVE_MARGIN_MS, KEEP_ALIVE_MS } from './limits.js';
import { buildRequestHead, lastHead } from './request-head.js';
import { H1Request } from './request.js';
import { ticksFor, unwatch, watch, type TickTarget } from './timeouts.js';

export interface H1PoolOptions {
  /** Kong's connect_timeout in ms (0: none). */
  connectTimeout: number;
  /** Most connections at once (default CONNECTIONS_PER_ORIGIN). */
  connections?: number;
  /** Idle keep-alive time in ms (default KEEP_ALIVE_MS). */
  keepAlive?: number;
}

export class H1Pool implements UpstreamPool, ConnectionOwner, TickTarget {
  readonly host: string;
  readonly port: number;
  readonly connectTicks: number;
  readonly keepAliveTicks: number;
  readonly #max: number;
  /** Every live connection (for the clock); each knows its slot. */
  readonly #connections: H1Connection[] = [];
  /** Idle connections, most recently used last. */
  readonly #idle: H1Connection[] = [];
  /** Requests waiting for a connection, from #queueHead on. */
  #queue: H1Request[] = [];
  #queueHead = 0;
  #closing = false;
  #onClosed: (() => void) | null = null;
  #closedPromise: Promise<void> | null = null;

  /** `origin`: `http://host:port` (the target's origin). */
  constructor(origin: string, options: H1PoolOptions) {
    const url = new URL(origin);
    // URL keeps an IPv6 literal in brackets; net.connect wants it bare.
    this.host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.port = url.port === '' ? 80 : Number(url.port);
    this.connectTicks = ticksFor(options.connectTimeout);
    this.keepAliveTicks = ticksFor(options.keepAlive ?? KEEP_ALIVE_MS);
    this.#max = options.connections ?? CONNECTIONS_PER_ORIGIN;
  }

  /** Live connections (busy, idle or connecting). */
  get size(): number {
    return this.#connections.length;
  }

  get idleCount(): number {
    return this.#idle.length;
  }

  dispatch(opts: UpstreamRequest, handler: UpstreamHandler): boolean {
    const head = buildRequestHead(opts.method, opts.path, opts.headers, opts.body);
    const request = new H1Request(
      handler,
      opts.method,
      head ?? '',
      opts.body,
      lastHead.framing,
      Buffer.isBuffer(opts.body) ? -1 : lastHead.length,
      ticksFor(opts.headersTimeout),
      ticksFor(opts.bodyTimeout),
      ticksFor(opts.writeTimeout ?? 0),
    );
    handler.onConnect(request.abort);
    if (request.done) return true;
    if (head === null) {
      request.fail(new H1Error(H1Code.INVALID_REQUEST, 'request head has a character that cannot be sent upstream'));
      return true;
    }
    if (this.#closing) {
      request.fail(new H1Error(H1Code.POOL_CLOSED, 'upstream pool closed'));
      return true;
    }
    const idle = this.#idle.pop();
    if (idle !== undefined) {
      idle.start(request);
    } else if (this.#connections.length < this.#max) {
      this.#open(request);
    } else {
      this.#queue.push(request);
    }
    return true;
  }

  close(): Promise<void> {
    if (this.#closedPromise !== null) return this.#closedPromise;
    this.#closing = true;
    this.#closedPromise = new Promise<void>((resolve) => {
      this.#onClosed = resolve;
    });
    for (const connection of this.#idle.splice(0)) connection.close();
    this.#checkClosed();
    return this.#closedPromise;
  }

  // ---- ConnectionOwner ----

  release(connection: H1Connection): void {
    const next = this.#dequeue();
    if (next !== null) {
      connection.start(next);
      return;
    }
    if (this.#closing) {
      connection.close();
      return;
    }
    this.#idle.push(connection);
  }

  removed(connection: H1Connection): void {
    const slot = connection.slot;
    const list = this.#connections;
    if (slot < 0 || list[slot] !== connection) return;
    const last = list.pop() as H1Connection;
    if (last !== connection) {
      list[slot] = last;
      last.slot = slot;
    }
    connection.slot = -1;
    const idleAt = this.#idle.lastIndexOf(connection);
    if (idleAt >= 0) this.#idle.splice(idleAt, 1);
    if (list.length === 0) unwatch(this);
    // A waiting request may now open its own connection.
    if (list.length < this.#max) {
      const next = this.#dequeue();
      if (next !== null) this.#open(next);
    }
    this.#checkClosed();
  }

  retryFresh(request: H1Request): void {
    // Over the cap if need be: this happens at most once per request.
    this.#open(request);
  }

  hintTicks(ms: number): number {
    return ms <= KEEP_ALIVE_MARGIN_MS ? 0 : ticksFor(ms - KEEP_ALIVE_MARGIN_MS);
  }

  // ---- TickTarget ----

  tick(): void {
    const list = this.#connections;
    // Backwards: a connection that closes in its tick swaps the last one into its slot.
    for (let i = list.length - 1; i >= 0; i--) list[i]?.tick();
  }

  // ---- internals ----

  #open(request: H1Request): void {
    const connection = new H1Connection(this);
    connection.slot = this.#connections.length;
    this.#connections.push(connection);
    if (connection.slot === 0) watch(this);
    connection.connectFor(request);
  }

  #dequeue(): H1Request | null {
    const queue = this.#queue;
    while (this.#queueHead < queue.length) {
      const request = queue[this.#queueHead] as H1Request;
      queue[this.#queueHead++] = undefined as unknown as H1Request;
      if (!request.done) {
        this.#compact();
        return request;
      }
    }
    this.#compact();
    return null;
  }

  /** Drops the consumed front of the queue once it is most of the array. */
  #compact(): void {
    if (this.#queueHead === this.#queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
  }

  #checkClosed(): void {
    if (!this.#closing || this.#connections.length > 0) return;
    while (this.#queueHead < this.#queue.length && (this.#queue[this.#queueHead] as H1Request).done) this.#queueHead++;
    if (this.#queueHead < this.#queue.length) return;
    const done = this.#onClosed;
    this.#onClosed = null;
    if (done !== null) done();
  }
}
