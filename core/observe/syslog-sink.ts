/**
 * The local syslog socket (/dev/log), as Kong's syslog plugin reaches it through syslog(3):
 * messages `<PRI>Mmm dd hh:mm:ss kong[pid]: text`, one datagram each.
 *
 * Node cannot send unix datagrams (node:dgram is UDP only), so each worker keeps one
 * util-linux `logger` process (Debian's bsdutils, always installed) and feeds it lines on
 * its stdin: `<PRI>text` per line (--prio-prefix), sent to the socket by logger exactly as
 * syslog(3) would (a datagram socket, or a stream one where the daemon offers that).
 * Writing to the pipe never blocks the event loop.
 *
 *   no socket at the path ──► lines dropped and counted (dropped_unreachable); looked for
 *                             again at most once per RETRY_MS
 *   logger exits (daemon gone, socket refused) ──► counted (send_failed), re-spawned on
 *                             the next line after RETRY_MS
 *   the pipe backs up past MAX_PIPE_BYTES ──► new lines dropped (dropped_queue_full)
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { stat } from 'node:fs';
import type { SinkReport } from './socket-sinks.js';

/** Kong's sender name (the syslog tag). */
const TAG = 'kong';
const RETRY_MS = 1000;
const MAX_PIPE_BYTES = 4 * 1024 * 1024;
/** Lines held while the socket is looked for and logger starts. */
const MAX_WAITING_LINES = 10_000;
/** logger truncates longer messages (its default is 1 KiB; Kong's entries are larger). */
const MAX_MESSAGE_BYTES = 256 * 1024;

export class SyslogSink {
  readonly #socketPath: string;
  report: SinkReport;
  #child: ChildProcessWithoutNullStreams | null = null;
  #starting = false;
  #waiting: string[] = [];
  /** Until then, lines are dropped without looking for the socket again. */
  #retryAt = 0;
  #stderr = '';

  constructor(socketPath: string, report: SinkReport) {
    this.#socketPath = socketPath;
    this.report = report;
  }

  /** One message with priority `pri` (facility * 8 + severity). */
  send(pri: number, message: string): void {
    const line = `<${pri}>${message}\n`;
    const child = this.#child;
    if (child !== null) {
      if (child.stdin.writableLength > MAX_PIPE_BYTES) {
        this.report('dropped_queue_full', 1, 'the syslog sender does not keep up; dropping entries');
        return;
      }
      child.stdin.write(line);
      return;
    }
    if (!this.#starting && Date.now() < this.#retryAt) {
      this.report('dropped_unreachable', 1, `no syslog socket at ${this.#socketPath}${this.#stderr === '' ? '' : `: ${this.#stderr}`}`);
      return;
    }
    if (this.#waiting.length >= MAX_WAITING_LINES) {
      this.report('dropped_queue_full', 1, 'too many entries waiting for the syslog socket; dropping entries');
      return;
    }
    this.#waiting.push(line);
    if (!this.#starting) this.#start();
  }

  /** Ends logger's input and waits (bounded) for it to send what it has. */
  async close(timeoutMs: number): Promise<void> {
    const child = this.#child;
    if (child === null) return;
    this.#child = null;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve();
      }, timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.stdin.end();
    });
  }

  #start(): void {
    this.#starting = true;
    stat(this.#socketPath, (err, st) => {
      if (err || !st.isSocket()) {
        this.#giveUp('dropped_unreachable', `no syslog socket at ${this.#socketPath}${err ? ` (${err.code ?? err.message})` : ''}`);
        return;
      }
      this.#spawn();
    });
  }

  #spawn(): void {
    const args = ['--socket', this.#socketPath, '--socket-errors=on', '--prio-prefix', '--tag', TAG, `--id=${process.pid}`, '--size', String(MAX_MESSAGE_BYTES)];
    const child = spawn('logger', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    this.#starting = false;
    this.#stderr = '';
    child.unref();
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      this.#stderr = `${this.#stderr}${d.toString()}`.slice(-500).trim();
    });
    // EPIPE once logger is gone: the exit handler below reports it.
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => {
      if (this.#child === child) this.#child = null;
      this.#giveUp('send_failed', `could not start logger for the syslog socket: ${e.message}`);
    });
    child.on('exit', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = null;
      this.#retryAt = Date.now() + RETRY_MS;
      this.report('send_failed', 1, `syslog sender stopped (${signal ?? `exit ${code}`})${this.#stderr === '' ? '' : `: ${this.#stderr}`}`);
    });
    const waiting = this.#waiting;
    this.#waiting = [];
    if (waiting.length > 0) child.stdin.write(waiting.join(''));
  }

  #giveUp(kind: string, message: string): void {
    this.#starting = false;
    this.#retryAt = Date.now() + RETRY_MS;
    const lost = this.#waiting.length;
    this.#waiting = [];
    this.report(kind, kind === 'send_failed' ? 1 : lost, message);
    if (kind === 'send_failed' && lost > 0) this.report('dropped_unreachable', lost, `${message}; ${lost} entries lost`);
  }
}
