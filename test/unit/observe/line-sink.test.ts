/**
 * LineSink: whole lines in batches (64 KiB to a file, at most PIPE_BUF to a pipe), one
 * write in flight; with a pipe nobody reads — through the libuv stream (pipes, sockets) or
 * through fs.write (ttys), non-blocking (EAGAIN) or blocking (a write stuck in a libuv
 * thread) — lines dropped and counted within a memory bound while the event loop goes on,
 * and what was kept arriving intact once the pipe is read again; a reader that is gone.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FILE_BATCH_BYTES, LineSink, PIPE_BATCH_BYTES } from '../../../core/observe/line-sink.js';

let dir: string;
const fds: number[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-sink-'));
});

afterEach(() => {
  for (const fd of fds.splice(0)) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

function line(i: number, width = 100): string {
  const head = `{"i":${i},"pad":"`;
  return `${head}${'x'.repeat(width - head.length - 3)}"}\n`;
}

/**
 * A FIFO with a non-blocking reader held open (so a writer can open it at once) that reads
 * only when asked: '' when empty.
 */
function fifo(): { path: string; read: () => string } {
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  fds.push(fd);
  const buf = Buffer.alloc(1 << 16);
  const read = (): string => {
    let out = '';
    for (;;) {
      try {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n <= 0) return out;
        out += buf.toString('latin1', 0, n);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return out;
        throw err;
      }
    }
  };
  return { path, read };
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Reads the pipe until the sink holds nothing more, and a little after. */
async function readAll(sink: LineSink, read: () => string): Promise<string> {
  let got = '';
  await until(() => {
    got += read();
    return sink.pendingBytes === 0;
  }, 5000, 'the kept lines');
  await sleep(20);
  return got + read();
}

/** Lines parse, each once, in order within what arrived. */
function indexes(text: string): number[] {
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
}

describe('LineSink to a file', () => {
  it('writes every line, in order, in batches of up to 64 KiB', async () => {
    const path = join(dir, 'access.log');
    const sink = LineSink.open(path);
    expect(sink.batchBytes).toBe(FILE_BATCH_BYTES);
    let expected = '';
    for (let i = 0; i < 5000; i++) {
      sink.write(line(i));
      expected += line(i);
      if (i % 500 === 0) await sleep(1);
    }
    await sink.flush();
    expect(readFileSync(path, 'latin1')).toBe(expected);
    expect(sink.written).toBe(5000);
    expect(sink.dropped).toBe(0);
    // 500 KB in 64 KiB batches: a handful of writes, where 4 KiB batches would take 123.
    expect(sink.writes).toBeLessThanOrEqual(Math.ceil(expected.length / FILE_BATCH_BYTES) + 11);
  });

  it('a line longer than a batch goes alone and whole, between the others', async () => {
    const path = join(dir, 'access.log');
    const sink = LineSink.open(path);
    const lines = [line(1), line(2, 200_000), line(3), line(4, FILE_BATCH_BYTES + 1), line(5)];
    for (const l of lines) sink.write(l);
    await sink.flush();
    expect(readFileSync(path, 'latin1')).toBe(lines.join(''));
    expect(sink.written).toBe(5);
  });

  it('a partial batch goes out within the flush period, without more lines or a flush()', async () => {
    const path = join(dir, 'access.log');
    const sink = LineSink.open(path);
    sink.write(line(1));
    await until(() => readFileSync(path, 'latin1').length > 0, 2000, 'the line');
    expect(readFileSync(path, 'latin1')).toBe(line(1));
    await sink.flush();
  });

  it('appends to an existing file; lines after flush() are dropped, not written', async () => {
    const path = join(dir, 'access.log');
    const first = LineSink.open(path);
    first.write(line(1));
    await first.flush();
    const second = LineSink.open(path);
    second.write(line(2));
    await second.flush();
    second.write(line(3));
    expect(second.dropped).toBe(1);
    expect(indexes(readFileSync(path, 'latin1'))).toEqual([1, 2]);
  });
});

describe('LineSink to a pipe', () => {
  it('writes whole lines in batches of at most PIPE_BUF: two sinks sharing the pipe never cut a line', async () => {
    const { path, read } = fifo();
    const a = LineSink.open(path);
    const b = LineSink.open(path);
    expect(a.batchBytes).toBe(PIPE_BATCH_BYTES);
    let got = '';
    for (let i = 0; i < 2000; i++) {
      a.write(line(i, 90 + (i % 50)));
      b.write(line(10_000 + i, 60 + (i % 70)));
      if (i % 100 === 0) {
        await sleep(1);
        got += read();
      }
    }
    await until(() => {
      got += read();
      return a.pendingBytes === 0 && b.pendingBytes === 0;
    }, 5000, 'every line');
    await sleep(20);
    got += read();
    const seen = indexes(got);
    expect(seen.filter((i) => i < 10_000)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(seen.filter((i) => i >= 10_000)).toEqual(Array.from({ length: 2000 }, (_, i) => 10_000 + i));
    expect(a.writes).toBeGreaterThanOrEqual(Math.ceil(got.length / 2 / PIPE_BATCH_BYTES));
    await a.flush(100);
    await b.flush(100);
  });

  it('a line longer than PIPE_BUF arrives whole (one writer)', async () => {
    const { path, read } = fifo();
    const sink = LineSink.open(path);
    const lines = [line(1), line(2, 20_000), line(3)];
    for (const l of lines) sink.write(l);
    expect(await readAll(sink, read)).toBe(lines.join(''));
    await sink.flush(100);
  });

  it('a pipe nobody reads: drops and counts beyond the bound while the loop runs, then delivers what it kept', async () => {
    const { path, read } = fifo();
    const reports: [number, number, string][] = [];
    const max = 256 * 1024;
    const sink = LineSink.open(path, { maxPendingBytes: max, onDrop: (count, total, reason) => reports.push([count, total, reason]) });
    const total = 20_000;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 2);
    try {
      for (let i = 0; i < total; i++) {
        sink.write(line(i));
        expect(sink.pendingBytes).toBeLessThanOrEqual(max);
        if (i % 1000 === 0) await sleep(3);
      }
      // The pipe (64 KiB) filled, the rest waited up to the bound, the others were dropped.
      await until(() => reports.length > 0, 2000, 'the drop report');
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(0); // the event loop went on
    expect(sink.dropped).toBeGreaterThan(0);
    expect(reports[0]?.[0]).toBeGreaterThan(0);
    expect(reports[0]?.[2]).toBe('the destination cannot keep up');
    // Someone reads again: the kept lines arrive, whole, in order.
    const got = await readAll(sink, read);
    const seen = indexes(got);
    expect(seen.length).toBe(sink.written);
    expect(seen.length + sink.dropped).toBe(total);
    expect([...seen].sort((x, y) => x - y)).toEqual(seen);
    await sink.flush(100);
  });

  it('through fs.write (a tty): a full non-blocking destination (EAGAIN) is retried; what was kept arrives', async () => {
    const { path, read } = fifo();
    const max = 256 * 1024;
    const sink = new LineSink(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK), true, { maxPendingBytes: max, noStream: true });
    for (let i = 0; i < 10_000; i++) {
      sink.write(line(i));
      if (i % 1000 === 0) await sleep(3);
    }
    await sleep(20);
    expect(sink.dropped).toBeGreaterThan(0);
    expect(sink.pendingBytes).toBeGreaterThan(0);
    const got = await readAll(sink, read);
    expect(indexes(got).length + sink.dropped).toBe(10_000);
    await sink.flush(100);
  });

  it('through fs.write, blocking: the one write waits in a libuv thread, the loop runs, lines are dropped', async () => {
    const { path, read } = fifo();
    const max = 128 * 1024;
    const sink = LineSink.open(path, { maxPendingBytes: max, noStream: true });
    // Fill the pipe's 64 KiB and more: one write then blocks inside write(2).
    for (let i = 0; i < 4000; i++) {
      sink.write(line(i));
      if (i % 200 === 0) await sleep(2);
    }
    const before = Date.now();
    await sleep(20); // a timer fires while that write is stuck
    expect(Date.now() - before).toBeLessThan(2000);
    expect(sink.pendingBytes).toBeGreaterThan(0);
    expect(sink.pendingBytes).toBeLessThanOrEqual(max);
    expect(sink.dropped).toBeGreaterThan(0);
    const dropped = sink.dropped;
    // Reading again unblocks it: the kept lines arrive whole.
    const got = await readAll(sink, read);
    expect(indexes(got).length + dropped).toBe(4000);
    await sink.flush(100);
  });

  it('a pipe whose reader is gone: lines are dropped with the reason, never thrown', async () => {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', [path]);
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const reports: string[] = [];
    const sink = LineSink.open(path, { onDrop: (_count, _total, reason) => reports.push(reason) });
    closeSync(reader);
    for (let i = 0; i < 100; i++) sink.write(line(i));
    await until(() => sink.dropped === 100, 2000, 'every line dropped');
    await until(() => reports.length > 0, 2000, 'the report');
    expect(reports[0]).toBe('write failed: EPIPE');
    sink.write(line(100));
    expect(sink.dropped).toBe(101);
    await sink.flush(100);
  });
});
