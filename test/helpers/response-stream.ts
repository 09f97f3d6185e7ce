/**
 * A raw client for the front corpus: sends a case's bytes on one connection (parts with a
 * pause between them), then reads back every response in order — sized, chunked, 1xx,
 * or delimited by the close — until it has what it waits for, the server closes, or a
 * deadline passes. Everything stays on 127.0.0.1 and every wait is bounded.
 */
import { connect } from 'node:net';

export interface StreamResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

export interface StreamResult {
  responses: StreamResponse[];
  /** The server closed (or reset) the connection. */
  closed: boolean;
  /** ms from the last byte sent to the moment the awaited outcome was complete (-1: never). */
  settledMs: number;
  /** Bytes after the last complete response (an unparseable or cut response). */
  leftover: string;
}

export interface StreamOptions {
  /** Responses awaited (1xx included). */
  responses: number;
  /** The server is expected to close after them. */
  closes: boolean;
  /** Give up this long after the last byte was sent. */
  deadlineMs: number;
  /** Once the awaited outcome is complete, keep listening this long for anything extra. */
  settleMs?: number;
  /** Pause between parts. */
  gapMs?: number;
  /** End our side after sending (the server sees EOF). */
  halfClose?: boolean;
  /** Each part after the first waits for one more answer (at most gapMs + 250 ms). */
  partsAfterAnswer?: boolean;
}

/** Parses the complete responses at the start of `raw`; returns them and where parsing stopped. */
export function parseResponses(raw: Buffer, closed: boolean): { responses: StreamResponse[]; used: number } {
  const responses: StreamResponse[] = [];
  let pos = 0;
  for (;;) {
    const headEnd = raw.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) break;
    const lines = raw.toString('latin1', pos, headEnd).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (m === null) break;
    const status = Number(m[1]);
    const headers: [string, string][] = lines.slice(1).map((l) => {
      const c = l.indexOf(':');
      return [l.slice(0, c).trim().toLowerCase(), l.slice(c + 1).trim()];
    });
    const header = (n: string): string | undefined => headers.find(([k]) => k === n)?.[1];
    let i = headEnd + 4;
    let body = '';
    if (status < 200 || status === 204 || status === 304) {
      // no body
    } else if (header('transfer-encoding')?.toLowerCase() === 'chunked') {
      let complete = false;
      for (;;) {
        const le = raw.indexOf('\r\n', i);
        if (le < 0) break;
        const size = parseInt(raw.toString('latin1', i, le), 16);
        if (Number.isNaN(size)) break;
        if (size === 0) {
          const te = raw.indexOf('\r\n\r\n', le);
          if (te < 0) break;
          i = te + 4;
          complete = true;
          break;
        }
        if (raw.length < le + 2 + size + 2) break;
        body += raw.toString('latin1', le + 2, le + 2 + size);
        i = le + 2 + size + 2;
      }
      if (!complete) break;
    } else if (header('content-length') !== undefined) {
      const n = Number(header('content-length'));
      if (raw.length < i + n) break;
      body = raw.toString('latin1', i, i + n);
      i += n;
    } else {
      if (!closed) break;
      body = raw.toString('latin1', i);
      i = raw.length;
    }
    responses.push({ status, headers, body });
    pos = i;
  }
  return { responses, used: pos };
}

export function streamExchange(port: number, parts: readonly Buffer[], options: StreamOptions): Promise<StreamResult> {
  const settleMs = options.settleMs ?? 150;
  const gapMs = options.gapMs ?? 50;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    let sentAt = -1;
    let settledMs = -1;
    let done = false;
    let deadline: NodeJS.Timeout | null = null;
    let settle: NodeJS.Timeout | null = null;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (deadline !== null) clearTimeout(deadline);
      if (settle !== null) clearTimeout(settle);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const { responses, used } = parseResponses(raw, closed);
      resolve({ responses, closed, settledMs, leftover: raw.toString('latin1', used) });
    };
    const check = (): void => {
      if (done || sentAt < 0) return;
      const { responses } = parseResponses(Buffer.concat(chunks), closed);
      const complete = responses.length >= options.responses && (!options.closes || closed);
      if (complete && settledMs < 0) {
        settledMs = performance.now() - sentAt;
        settle = setTimeout(finish, closed ? 0 : settleMs);
      }
      if (closed && settle === null) finish();
    };
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      check();
    });
    const onClose = (): void => {
      closed = true;
      if (sentAt < 0) sentAt = performance.now();
      check();
      finish();
    };
    socket.on('close', onClose);
    socket.on('error', () => undefined);
    socket.on('connect', async () => {
      for (let k = 0; k < parts.length; k++) {
        if (k > 0 && options.partsAfterAnswer === true) {
          const until = performance.now() + gapMs + 250;
          while (parseResponses(Buffer.concat(chunks), closed).responses.length < k && !closed && performance.now() < until) {
            await new Promise((r) => setTimeout(r, 5));
          }
        } else if (k > 0) await new Promise((r) => setTimeout(r, gapMs));
        if (socket.destroyed) break;
        socket.write(parts[k] as Buffer);
      }
      if (options.halfClose === true && !socket.destroyed) socket.end();
      sentAt = performance.now();
      deadline = setTimeout(finish, options.deadlineMs);
      check();
    });
  });
}
