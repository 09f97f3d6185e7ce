/**
 * The client's request body on a route with plugins, from the moment the chain needs it:
 *
 *   whole()     a plugin reads the body (key_in_body, request-transformer, ai-proxy): chunks
 *               are collected up to the body limit and the promise resolves with one Buffer
 *   hold()      the access phase went asynchronous while a body is coming: chunks are
 *               queued and the client paused, so a plugin still deciding does not make the
 *               gateway buffer an upload it may refuse
 *   handOff()   the chain is done and the body streams on (upstream, or through streaming
 *               steps): queued chunks first, then each new one, the client resumed
 *
 * uWS delivers chunks only to an onData attached before the handler returns, or later to
 * one attached while the request is alive; this object attaches exactly one.
 */
import type { HttpResponse } from './http-front.js';
import { copyChunk } from '../proxy/request-body.js';

export interface BodyOwner {
  /** The body broke the size limit (the reader stops; the owner answers 413). */
  bodyTooLarge(): void;
  /** The request is over (answered or aborted): chunks are dropped. */
  readonly finished: boolean;
  bytesIn: number;
  /** The body limit in bytes (0 = unlimited); plugins may lower it while the body streams. */
  readonly maxBody: number;
}

const EMPTY = Buffer.alloc(0);

export class BodyReader {
  readonly #res: HttpResponse;
  readonly #owner: BodyOwner;
  #attached = false;
  #chunks: Buffer[] = [];
  #ended = false;
  #paused = false;
  #whole: Buffer | null = null;
  #waiting: ((body: Buffer) => void) | null = null;
  #failWaiting: ((err: Error) => void) | null = null;
  #sink: ((chunk: Buffer, last: boolean) => void) | null = null;
  /** Whether chunks are kept (whole() or hold()) rather than passed to a sink. */
  #collect = false;

  constructor(res: HttpResponse, owner: BodyOwner) {
    this.#res = res;
    this.#owner = owner;
  }

  /** Whether the whole body has been collected (readBody resolved). */
  get complete(): boolean {
    return this.#whole !== null;
  }

  /** The whole body, now or when its last chunk arrives. */
  whole(): Buffer | Promise<Buffer> {
    if (this.#whole !== null) return this.#whole;
    this.#collect = true;
    if (this.#ended) return this.#finishWhole();
    this.#attach();
    if (this.#paused) {
      this.#paused = false;
      this.#res.resume();
    }
    return new Promise<Buffer>((resolve, reject) => {
      this.#waiting = resolve;
      this.#failWaiting = reject;
    });
  }

  /** Queue what arrives (pausing the client) until handOff or whole. */
  hold(): void {
    if (this.#sink !== null || this.#whole !== null) return;
    this.#collect = true;
    this.#attach();
  }

  /** From now on every chunk goes to `sink` (queued ones first). */
  handOff(sink: (chunk: Buffer, last: boolean) => void): void {
    this.#sink = sink;
    this.#collect = false;
    const queued = this.#chunks;
    this.#chunks = [];
    if (queued.length === 0 && this.#ended) sink(EMPTY, true);
    for (let i = 0; i < queued.length; i++) sink(queued[i] as Buffer, this.#ended && i === queued.length - 1);
    if (this.#paused) {
      this.#paused = false;
      this.#res.resume();
    }
    this.#attach();
  }

  /** The request ended early: a pending whole() never resolves, its waiter is failed. */
  abort(err: Error): void {
    this.#chunks = [];
    const fail = this.#failWaiting;
    this.#waiting = null;
    this.#failWaiting = null;
    if (fail !== null) fail(err);
  }

  #attach(): void {
    if (this.#attached || this.#ended) return;
    this.#attached = true;
    this.#res.onData((chunk, isLast) => this.#onData(chunk, isLast));
  }

  #onData(chunk: ArrayBuffer, last: boolean): void {
    const owner = this.#owner;
    if (owner.finished) return;
    owner.bytesIn += chunk.byteLength;
    const max = owner.maxBody;
    if (max > 0 && owner.bytesIn > max) {
      this.abort(new Error('request body over the limit'));
      owner.bodyTooLarge();
      return;
    }
    const copy = copyChunk(chunk);
    if (last) this.#ended = true;
    const sink = this.#sink;
    if (sink !== null) {
      sink(copy, last);
      return;
    }
    this.#chunks.push(copy);
    if (last) {
      if (this.#waiting !== null) this.#finishWhole();
      return;
    }
    // Held, not read: pause the client until the chain decides.
    if (this.#waiting === null && this.#collect && !this.#paused) {
      this.#paused = true;
      this.#res.pause();
    }
  }

  #finishWhole(): Buffer {
    const chunks = this.#chunks;
    this.#chunks = [];
    const whole = chunks.length === 0 ? EMPTY : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    this.#whole = whole;
    const resolve = this.#waiting;
    this.#waiting = null;
    this.#failWaiting = null;
    if (resolve !== null) resolve(whole);
    return whole;
  }
}
