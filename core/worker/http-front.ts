/**
 * The contract between a front (what owns client sockets and parses HTTP/1.x) and the
 * pipeline: the part of uWebSockets.js's HttpRequest/HttpResponse that the gateway uses,
 * and nothing more. uWS's own objects satisfy it as they are (checked where the uWS front
 * hands them over, core/worker/server.ts); the strict front (core/worker/strict/)
 * implements it over node:net. Semantics are uWS's:
 *
 * - a request is valid only inside the handler: copy what you need at once;
 * - a response that is not ended inside the handler needs `onAborted`;
 * - `onData` chunks are valid only during the callback;
 * - `tryEnd(chunk, total)` answers `[ok, done]`: `ok` false = back off until `onWritable`,
 *   whose handler gets the write offset and returns true once it wrote what it held.
 */

/** Bytes or text (text is written as UTF-8). */
export type Chunk = string | Uint8Array;

export interface HttpRequest {
  getCaseSensitiveMethod(): string;
  /** The path, without the query. */
  getUrl(): string;
  /** The query without `?` (uWS gives '' when absent; the strict front undefined). */
  getQuery(): string | undefined;
  /** The first value of a header by lower-case name, or ''. */
  getHeader(lowerCaseKey: string): string;
  /** Every header in arrival order, names lower-case. */
  forEach(cb: (key: string, value: string) => void): void;
}

export interface HttpResponse {
  cork(cb: () => void): HttpResponse;
  writeStatus(status: Chunk): HttpResponse;
  writeHeader(key: Chunk, value: Chunk): HttpResponse;
  write(chunk: Chunk): boolean;
  end(body?: Chunk, closeConnection?: boolean): HttpResponse;
  endWithoutBody(reportedContentLength?: number, closeConnection?: boolean): HttpResponse;
  tryEnd(fullBodyOrChunk: Chunk, totalSize: number): [boolean, boolean];
  close(): HttpResponse;
  getWriteOffset(): number;
  onWritable(handler: (offset: number) => boolean): HttpResponse;
  onAborted(handler: () => void): HttpResponse;
  onData(handler: (chunk: ArrayBuffer, isLast: boolean) => void): HttpResponse;
  pause(): void;
  resume(): void;
  getRemoteAddressAsText(): ArrayBuffer;
}

export type RequestHandler = (res: HttpResponse, req: HttpRequest) => void;

/** A plain-HTTP listener of one worker. */
export interface HttpFront {
  /** Resolves with the bound port (useful when `port` is 0). */
  listen(host: string, port: number, handler: RequestHandler): Promise<number>;
  /** Stops accepting connections; connections already open keep being served. */
  close(): void;
  /** Closes the listener and every connection still open (before the thread exits). */
  closeAll(): void;
}

