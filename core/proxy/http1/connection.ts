/**
 * One keep-alive connection to an upstream origin: a net.Socket, its read buffer, its
 * response parser and the request it carries (at most one: no pipelining).
 *
 *   CONNECTING ──connect──► BUSY ──response ended cleanly──► IDLE ──dispatch──► BUSY …
 *        │                    └── error / timeout / not reusable ──► CLOSED
 *        └── error / connect timeout ──► CLOSED
 *
 * Reads go straight into a per-connection buffer (net's `onread`): no allocation and no
 * stream machinery per read. Body chunks passed to the handler are views of that buffer,
 * valid until onData returns — or, when it returns false, until the handler calls resume()
 * (reading stops while it holds them). A handler that keeps bytes longer copies them.
 *
 * Reused only when the response ended cleanly: framed by Content-Length or chunked, no
 * `Connection: close`, no byte after it, and the whole request written. An idempotent
 * request with a replayable body that finds a reused connection closed before any
 * response byte (the upstream's keep-alive timer raced us) is sent again once on a fresh
 * connection, the handler none the wiser.
 *
 * Timeouts (Kong's connect_timeout, read_timeout, write_timeout) are tick counters driven
 * by the pool (timeouts.ts): `#readTicks` counts down the connect, head, body-idle or
 * keep-alive-idle deadline, `#writeTicks` the time the upstream leaves our bytes unread.
 */
import { connect, type Socket } from 'node:net';
import { BodyWriter, type BodyWriterOwner } from './body-writer.js';
import { H1Code, H1Error, malformed } from './errors.js';
import { COALESCE_BODY_BYTES, READ_BUFFER_BYTES } from './limits.js';
import type { H1Request, RequestCarrier } from './request.js';
import { ResponseParser, type ResponseSink } from './response-parser.js';

/** What a connection needs from its pool (pool.ts). */
export interface ConnectionOwner {
  readonly host: string;
  readonly port: number;
  readonly connectTicks: number;
  /** Ticks an idle connection is kept, unless the upstream's Keep-Alive hint is shorter. */
  readonly keepAliveTicks: number;
  /** The connection finished a response cleanly and can take the next request. */
  release(connection: H1Connection): void;
  /** The connection is gone (closed or destroyed). */
  removed(connection: H1Connection): void;
  /** Send the request again on a new connection (keep-alive close race). */
  retryFresh(request: H1Request): void;
  /** Ticks for a Keep-Alive hint in ms (0: do not reuse). */
  hintTicks(ms: number): number;
}

const C_CONNECTING = 0;
const C_BUSY = 1;
const C_IDLE = 2;
const C_CLOSED = 3;

const T_NONE = 0;
const T_CONNECT = 1;
const T_HEADERS = 2;
const T_BODY = 3;
const T_IDLE = 4;

/** Errors that mean "the upstream closed on us", the signature of the keep-alive race. */
const CLOSE_CODES = new Set<string>([H1Code.CLOSED, 'ECONNRESET', 'EPIPE']);

export class H1Connection implements ResponseSink, RequestCarrier, BodyWriterOwner {
  readonly #owner: ConnectionOwner;
  readonly #socket: Socket;
  readonly #buffer: Buffer;
  readonly #parser: ResponseParser;
  #state = C_CONNECTING;
  #request: H1Request | null = null;
  /** Responses completed here: more than 0 means the connection is a reused one. */
  #served = 0;
  /** Index in the pool's list of live connections (the pool keeps it). */
  slot = -1;

  #readKind = T_NONE;
  #readTicks = 0;
  #writeTicks = 0;

  /** The socket is reading (false after the read callback returned false). */
  #reading = true;
  #parsing = false;
  #resumeAsked = false;
  /** Unparsed bytes of #buffer kept while the handler holds: [start, end). */
  #pendingStart = 0;
  #pendingEnd = 0;

  /** Request body: the whole request has been handed to the socket. */
  #requestWritten = false;
  readonly #body: BodyWriter;

  readonly #onConnect: () => void;
  readonly #onEnd: () => void;
  readonly #onSocketError: (err: Error) => void;
  readonly #onClose: () => void;
  readonly #onDrain: () => void;

  constructor(owner: ConnectionOwner) {
    this.#owner = owner;
    this.#buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    this.#parser = new ResponseParser(this);
    this.#onConnect = () => this.#connected();
    this.#onEnd = () => this.#ended();
    this.#onSocketError = (err) => this.#socketError(err);
    this.#onClose = () => this.#closed();
    this.#onDrain = () => this.#drained();
    this.#socket = connect({
      host: owner.host,
      port: owner.port,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
      onread: { buffer: this.#buffer, callback: (n: number) => this.#read(n) },
    });
    this.#socket.on('connect', this.#onConnect);
    this.#socket.on('end', this.#onEnd);
    this.#socket.on('error', this.#onSocketError);
    this.#socket.on('close', this.#onClose);
    this.#socket.on('drain', this.#onDrain);
    this.#body = new BodyWriter(this, this.#socket);
    this.#readKind = T_CONNECT;
    this.#readTicks = owner.connectTicks;
  }

  /** A new connection carries `request` as soon as it is connected. */
  connectFor(request: H1Request): void {
    this.#request = request;
    request.connection = this;
  }

  get idle(): boolean {
    return this.#state === C_IDLE;
  }

  // ---- sending ----

  /** Sends `request` on this (idle) connection: head and a small body in one write. */
  start(request: H1Request): void {
    this.#state = C_BUSY;
    this.#request = request;
    request.connection = this;
    this.#parser.reset(request.method === 'HEAD');
    this.#readKind = T_NONE;
    this.#readTicks = 0;
    this.#requestWritten = false;
    const socket = this.#socket;
    const body = request.body;
    let flushed: boolean;
    if (body === null) {
      flushed = socket.write(request.head, 'latin1');
    } else if (Buffer.isBuffer(body)) {
      const head = request.head;
      if (body.length <= COALESCE_BODY_BYTES) {
        const out = Buffer.allocUnsafe(head.length + body.length);
        out.write(head, 0, 'latin1');
        body.copy(out, head.length);
        flushed = socket.write(out);
      } else {
        socket.cork();
        socket.write(head, 'latin1');
        flushed = socket.write(body);
        socket.uncork();
      }
    } else {
      flushed = socket.write(request.head, 'latin1');
      if (!flushed) this.#writeTicks = request.writeTicks;
      this.#body.start(body, request.framing, request.declaredLength);
      return;
    }
    this.#requestWritten = true;
    if (flushed) this.#armHeaders();
    else this.#writeTicks = request.writeTicks;
  }

  // ---- BodyWriterOwner ----

  bodyBackedUp(): void {
    if (this.#writeTicks === 0 && this.#request !== null) this.#writeTicks = this.#request.writeTicks;
  }

  bodyWritten(flushed: boolean): void {
    const request = this.#request;
    if (request === null) return;
    this.#requestWritten = true;
    if (flushed) this.#armHeaders();
    else if (this.#writeTicks === 0) this.#writeTicks = request.writeTicks;
  }

  bodyFailed(err: H1Error): void {
    this.#fail(err);
  }

  #drained(): void {
    this.#writeTicks = 0;
    if (this.#state !== C_BUSY) return;
    if (this.#body.active) this.#body.resume();
    else if (this.#requestWritten && this.#readKind === T_NONE) this.#armHeaders();
  }

  /** The request is out: the head must arrive within read_timeout (unless it already started). */
  #armHeaders(): void {
    const request = this.#request;
    if (request === null || this.#readKind !== T_NONE || !this.#parser.inHead) return;
    this.#readKind = T_HEADERS;
    this.#readTicks = request.headersTicks;
  }

  // ---- receiving ----

  /** net's onread callback: `n` bytes are in #buffer. false stops reading. */
  #read(n: number): boolean {
    if (this.#state !== C_BUSY || this.#request === null) {
      // Bytes nobody asked for (an idle connection): never hand them to the next request.
      this.#destroy();
      return false;
    }
    if (this.#readKind === T_BODY) this.#readTicks = (this.#request as H1Request).bodyTicks;
    const keep = this.#process(0, n);
    if (!keep) this.#reading = false;
    return keep;
  }

  /** Parses #buffer[start, end); false when reading must stop (held, done with errors, closed). */
  #process(start: number, end: number): boolean {
    const parser = this.#parser;
    for (;;) {
      let pos: number;
      this.#parsing = true;
      try {
        pos = parser.execute(this.#buffer, start, end);
      } catch (err) {
        // A handler callback threw: as undici does, the exchange ends with that error.
        this.#parsing = false;
        this.#fail(err instanceof Error ? err : new Error(String(err)));
        return false;
      }
      this.#parsing = false;
      if (this.#request === null || this.#state === C_CLOSED) return false;
      const err = parser.error;
      if (err !== null) {
        this.#fail(err);
        return false;
      }
      if (parser.done) {
        if (pos !== end) {
          this.#fail(malformed('bytes after the end of the response'));
          return false;
        }
        this.#complete();
        return this.#state !== C_CLOSED;
      }
      if (parser.holding) {
        if (this.#resumeAsked) {
          // resume() came from inside a callback of this very pass.
          this.#resumeAsked = false;
          parser.unhold();
          start = pos;
          continue;
        }
        this.#pendingStart = pos;
        this.#pendingEnd = end;
        if (this.#readKind === T_BODY) this.#readTicks = 0;
        return false;
      }
      return true;
    }
  }

  onResponseHead(status: number, reason: string, headers: Buffer[]): boolean {
    const request = this.#request as H1Request;
    this.#readKind = T_BODY;
    this.#readTicks = request.bodyTicks;
    return request.handler.onHeaders(status, headers, request.resume, reason);
  }

  onResponseBody(chunk: Buffer): boolean {
    return (this.#request as H1Request).handler.onData(chunk);
  }

  resumeFor(request: H1Request): void {
    if (this.#request !== request || !this.#parser.holding) return;
    if (this.#parsing) {
      this.#resumeAsked = true;
      return;
    }
    this.#parser.unhold();
    this.#readTicks = request.bodyTicks;
    const start = this.#pendingStart;
    const end = this.#pendingEnd;
    this.#pendingStart = 0;
    this.#pendingEnd = 0;
    const keep = this.#process(start, end);
    if (keep && !this.#reading && this.#state !== C_CLOSED) {
      this.#reading = true;
      this.#socket.resume();
    }
  }

  /** The response ended cleanly: hand the connection back (or close it), then tell the handler. */
  #complete(): void {
    const request = this.#request as H1Request;
    const parser = this.#parser;
    const trailers = parser.trailers;
    this.#request = null;
    request.connection = null;
    this.#readKind = T_NONE;
    this.#readTicks = 0;
    const reusable = parser.keepAlive && this.#requestWritten && !this.#body.active && this.#socket.writableLength === 0;
    const hint = parser.keepAliveHintMs;
    const idleTicks = hint < 0 ? this.#owner.keepAliveTicks : Math.min(this.#owner.keepAliveTicks, this.#owner.hintTicks(hint));
    if (reusable && idleTicks > 0) {
      this.#served++;
      this.#state = C_IDLE;
      this.#readKind = T_IDLE;
      this.#readTicks = idleTicks;
      this.#owner.release(this);
    } else {
      this.#destroy();
    }
    request.complete(trailers);
  }

  /** The request failed here: the connection is closed; the request is repeated once, or fails. */
  #fail(err: Error): void {
    const request = this.#request;
    this.#destroy();
    if (request === null) return;
    const code = (err as { code?: unknown }).code;
    if (
      this.#served > 0 &&
      !request.retried &&
      !this.#parser.receivedAny &&
      typeof code === 'string' &&
      CLOSE_CODES.has(code) &&
      request.replayable &&
      !request.done
    ) {
      request.retried = true;
      this.#owner.retryFresh(request);
      return;
    }
    request.fail(err);
  }

  abandon(request: H1Request): void {
    if (this.#request !== request) return;
    if (this.#state === C_CONNECTING) {
      // Still connecting: keep the connection for the next request.
      this.#request = null;
      return;
    }
    this.#destroy();
  }

  // ---- socket events ----

  #connected(): void {
    if (this.#state !== C_CONNECTING) return;
    this.#readKind = T_NONE;
    this.#readTicks = 0;
    const request = this.#request;
    if (request === null || request.done) {
      this.#request = null;
      this.#state = C_IDLE;
      this.#readKind = T_IDLE;
      this.#readTicks = this.#owner.keepAliveTicks;
      this.#owner.release(this);
      return;
    }
    this.start(request);
  }

  /** The upstream closed its side (EOF). */
  #ended(): void {
    if (this.#state === C_BUSY && this.#request !== null) {
      const err = this.#parser.finishEof();
      if (err !== null) this.#fail(err);
      else if (this.#parser.done) this.#complete();
      return;
    }
    this.#destroy();
  }

  #socketError(err: Error): void {
    if (this.#state === C_CLOSED && this.#request === null) return;
    if (this.#request !== null) this.#fail(err);
    else this.#destroy();
  }

  #closed(): void {
    if (this.#request !== null) this.#fail(new H1Error(H1Code.CLOSED, 'upstream connection closed'));
    this.#destroy();
  }

  #destroy(): void {
    const request = this.#request;
    if (request !== null) {
      this.#request = null;
      request.connection = null;
    }
    if (this.#state === C_CLOSED) return;
    this.#state = C_CLOSED;
    this.#parser.halt();
    this.#readKind = T_NONE;
    this.#readTicks = 0;
    this.#writeTicks = 0;
    this.#body.detach();
    this.#socket.destroy();
    this.#owner.removed(this);
  }

  /** Closes an idle connection (pool closing, keep-alive expiry). */
  close(): void {
    this.#destroy();
  }

  // ---- timers ----

  /** One clock tick (timeouts.ts): count the deadlines down, act on the one that ran out. */
  tick(): void {
    if (this.#writeTicks > 0 && --this.#writeTicks === 0) {
      this.#fail(new H1Error(H1Code.WRITE_TIMEOUT, 'upstream did not read the request within write_timeout'));
      return;
    }
    if (this.#readTicks === 0 || --this.#readTicks > 0) return;
    switch (this.#readKind) {
      case T_CONNECT:
        this.#fail(new H1Error(H1Code.CONNECT_TIMEOUT, 'upstream connect timed out (connect_timeout)'));
        break;
      case T_HEADERS:
        this.#fail(new H1Error(H1Code.HEADERS_TIMEOUT, 'upstream sent no response head within read_timeout'));
        break;
      case T_BODY:
        this.#fail(new H1Error(H1Code.BODY_TIMEOUT, 'upstream response body stalled for read_timeout'));
        break;
      default:
        this.#destroy();
    }
  }
}
