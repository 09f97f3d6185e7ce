/**
 * One proxied request on the HTTP/1.1 pool: what is sent (the head built once, the
 * body), the handler, the timeouts in ticks, and where it is (queued, on a connection,
 * done). Fixed shape, one per request; `abort` and `resume` are bound once here because
 * the handler protocol hands them out as functions.
 *
 * The handler hears exactly one of onComplete / onError, once: `done` guards both, and
 * nothing reaches the handler after it is set.
 */
import type { Readable } from 'node:stream';
import { isIdempotent } from '../upstream-errors.js';
import type { UpstreamHandler } from '../upstream-pool.js';
import { H1Code, H1Error } from './errors.js';
import type { Framing } from './request-head.js';

/** The connection side a request talks to (connection.ts). */
export interface RequestCarrier {
  /** The handler asked for more response data. */
  resumeFor(request: H1Request): void;
  /** The handler aborted: drop the request (a busy connection is destroyed). */
  abandon(request: H1Request): void;
}

export class H1Request {
  readonly handler: UpstreamHandler;
  readonly method: string;
  readonly head: string;
  readonly body: Buffer | Readable | null;
  readonly framing: Framing;
  /** Declared body length for a streamed body with content-length, else -1. */
  readonly declaredLength: number;
  readonly headersTicks: number;
  readonly bodyTicks: number;
  readonly writeTicks: number;
  connection: RequestCarrier | null = null;
  done = false;
  /** Already repeated once on a fresh connection (keep-alive close race). */
  retried = false;
  readonly abort: (err?: Error) => void;
  readonly resume: () => void;

  constructor(
    handler: UpstreamHandler,
    method: string,
    head: string,
    body: Buffer | Readable | null,
    framing: Framing,
    declaredLength: number,
    headersTicks: number,
    bodyTicks: number,
    writeTicks: number,
  ) {
    this.handler = handler;
    this.method = method;
    this.head = head;
    this.body = body;
    this.framing = framing;
    this.declaredLength = declaredLength;
    this.headersTicks = headersTicks;
    this.bodyTicks = bodyTicks;
    this.writeTicks = writeTicks;
    this.abort = (err?: Error) => this.#abort(err);
    this.resume = () => this.connection?.resumeFor(this);
    // A streamed body that fails (client gone, over the size limit) fails the request,
    // wherever it is (queued, connecting, sending); and its 'error' never goes unheard.
    if (body !== null && !Buffer.isBuffer(body)) body.once('error', this.abort);
  }

  /** Can be sent again as it is: idempotent, and the body (if any) is a Buffer, not a consumed stream. */
  get replayable(): boolean {
    return isIdempotent(this.method) && (this.body === null || Buffer.isBuffer(this.body));
  }

  complete(trailers: Buffer[] | null): void {
    if (this.done) return;
    this.done = true;
    this.handler.onComplete(trailers);
  }

  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.handler.onError(err);
  }

  #abort(err?: Error): void {
    if (this.done) return;
    this.done = true;
    const connection = this.connection;
    this.connection = null;
    if (connection !== null) connection.abandon(this);
    this.handler.onError(err ?? new H1Error(H1Code.ABORTED, 'request aborted'));
  }
}
