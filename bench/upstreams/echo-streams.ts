/**
 * The streaming endpoints of the echo upstream. Each one registers `onAborted` before
 * anything async, writes through `cork`, and honours backpressure so a 1 GiB body never
 * sits in memory:
 *
 * - fixed length (`/bytes/N`): `tryEnd` until it reports a full socket, then resume from
 *   `onWritable(offset)`; the pattern is a pure function of the offset, so a retry simply
 *   re-slices from wherever the socket stopped.
 * - chunked (`/chunked/N`, `/echo`): `write` buffers what it cannot send and returns false;
 *   we stop producing (or `pause()` the request body) until `onWritable` fires.
 */
import type { HttpResponse } from 'uWebSockets.js';
import { PATTERN_CHUNK, patternSlice } from './byte-pattern.js';

const OCTETS = 'application/octet-stream';

/** `/bytes/N`: N pattern bytes with content-length. */
export function sendFixedBytes(res: HttpResponse, total: number): void {
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  // Returns false when the socket is full; onWritable picks up from the new offset.
  const pump = (): boolean => {
    for (;;) {
      const offset = res.getWriteOffset();
      const [ok, done] = res.tryEnd(patternSlice(offset, total - offset), total);
      if (done) return true;
      if (!ok) return false;
    }
  };
  res.onWritable(() => {
    if (aborted) return true;
    let ok = false;
    res.cork(() => {
      ok = pump();
    });
    return ok;
  });
  res.cork(() => {
    res.writeStatus('200 OK').writeHeader('content-type', OCTETS);
    if (total === 0) res.end();
    else pump();
  });
}

/** `/chunked/N`: the same bytes with chunked transfer encoding. */
export function sendChunkedBytes(res: HttpResponse, total: number): void {
  let aborted = false;
  let sent = 0;
  res.onAborted(() => {
    aborted = true;
  });
  // write() always accepts the chunk (buffering what the socket refuses); false means
  // "stop producing until drained".
  const pump = (): void => {
    while (sent < total) {
      const chunk = patternSlice(sent, Math.min(PATTERN_CHUNK, total - sent));
      sent += chunk.length;
      if (!res.write(chunk)) return;
    }
    res.end();
  };
  res.onWritable(() => {
    if (!aborted && sent < total) res.cork(pump);
    return true;
  });
  res.cork(() => {
    res.writeStatus('200 OK').writeHeader('content-type', OCTETS);
    // A zero-length write would end chunked mode; start it only when there is a body.
    if (total === 0) res.end();
    else pump();
  });
}

/** `/echo`: streams the request body back as it arrives, pausing the upload on backpressure. */
export function echoBody(res: HttpResponse, contentType: string): void {
  let aborted = false;
  let started = false;
  res.onAborted(() => {
    aborted = true;
  });
  res.onWritable(() => {
    if (!aborted) res.resume();
    return true;
  });
  res.onData((chunk, isLast) => {
    if (aborted) return;
    res.cork(() => {
      if (!started) {
        started = true;
        res.writeStatus('200 OK');
        if (contentType !== '') res.writeHeader('content-type', contentType);
      }
      // write() copies the chunk before uWS neuters it, so no copy is needed here.
      if (chunk.byteLength > 0 && !res.write(chunk) && !isLast) res.pause();
      if (isLast) res.end();
    });
  });
}

/** `/sse?events=N&interval=MS`: N events `data: {"i":k}`, MS apart, then the end. */
export function sendEvents(res: HttpResponse, events: number, intervalMs: number): void {
  let aborted = false;
  let timer: NodeJS.Timeout | null = null;
  let k = 0;
  res.onAborted(() => {
    aborted = true;
    if (timer !== null) clearTimeout(timer);
  });
  const emit = (): void => {
    timer = null;
    if (aborted) return;
    res.cork(() => {
      // interval 0: all events in this turn, each its own chunk.
      do {
        res.write(`data: {"i":${k}}\n\n`);
        k++;
      } while (intervalMs === 0 && k < events);
      if (k >= events) res.end();
    });
    if (k < events) timer = setTimeout(emit, intervalMs);
  };
  res.cork(() => {
    res
      .writeStatus('200 OK')
      .writeHeader('content-type', 'text/event-stream')
      .writeHeader('cache-control', 'no-cache');
    if (events === 0) res.end();
  });
  if (events > 0) emit();
}
