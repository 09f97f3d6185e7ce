/**
 * Network sinks for tcp-log and udp-log: one per destination per worker, shared by every
 * plugin instance (and config version) that logs there, as Kong's cosocket keepalive pool
 * is. Sending never blocks or throws: a line is handed to the socket (or held while it
 * connects) and the function returns.
 *
 *   TcpSink   one connection (TLS optional, certificate not verified, as Kong's
 *             sslhandshake(…, false)); closed after `keepalive` ms idle, re-opened on the
 *             next line. Lines that arrive while it connects wait (bounded); a connect that
 *             fails or times out drops them (dropped_unreachable); bytes the peer does not
 *             read within `timeout` end the connection (send_failed); past MAX_BUFFERED
 *             bytes waiting in the socket, new lines are dropped (dropped_queue_full).
 *   UdpSink   one connected datagram socket (the name resolved once); one datagram per
 *             entry; a send error (a refused port, a datagram too large) is counted.
 *
 * Losses go to the latest holder's report function (counted and warned by the plugin).
 */
import { Socket, isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns';
import type { PluginEnv } from '../plugins/contract.js';

/** kind: a gatehouse_plugin_failures_total kind; count: what it adds (entries lost, or 1 failed attempt). */
export type SinkReport = (kind: string, count: number, message: string) => void;

/** Lines held while a connection is being made. */
const MAX_WAITING_LINES = 10_000;
/** Bytes Node may hold for a socket the peer reads slowly before new lines are dropped. */
const MAX_BUFFERED = 8 * 1024 * 1024;

export interface TcpSinkOptions {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly keepaliveMs: number;
  readonly tls: boolean;
  readonly sni: string | null;
}

export class TcpSink {
  readonly #o: TcpSinkOptions;
  report: SinkReport;
  #socket: Socket | TLSSocket | null = null;
  #connected = false;
  #waiting: string[] = [];
  /** When the bytes now buffered started waiting for the peer (0: none buffered). */
  #stalledSince = 0;
  #watch: NodeJS.Timeout | null = null;

  constructor(options: TcpSinkOptions, report: SinkReport) {
    this.#o = options;
    this.report = report;
  }

  send(line: string): void {
    const socket = this.#socket;
    if (socket !== null && this.#connected) {
      if (socket.writableLength > MAX_BUFFERED) {
        this.report('dropped_queue_full', 1, `${this.#where()} does not read fast enough; dropping entries`);
        return;
      }
      if (!socket.write(line) && this.#stalledSince === 0) this.#stalledSince = Date.now();
      return;
    }
    if (this.#waiting.length >= MAX_WAITING_LINES) {
      this.report('dropped_queue_full', 1, `too many entries waiting for a connection to ${this.#where()}; dropping entries`);
      return;
    }
    this.#waiting.push(line);
    if (socket === null) this.#connect();
  }

  #where(): string {
    return `${this.#o.host}:${this.#o.port}`;
  }

  #connect(): void {
    const o = this.#o;
    const servername = o.sni ?? (isIP(o.host) === 0 ? o.host : undefined);
    const socket = o.tls
      ? tlsConnect({ host: o.host, port: o.port, rejectUnauthorized: false, ...(servername === undefined ? {} : { servername }) })
      : new Socket().connect(o.port, o.host);
    this.#socket = socket;
    socket.unref();
    socket.setNoDelay(true);
    // Until connected, the timeout bounds the connect; then it is the keepalive (idle) time.
    socket.setTimeout(o.timeoutMs);
    socket.once(o.tls ? 'secureConnect' : 'connect', () => {
      this.#connected = true;
      socket.setTimeout(Math.max(1, o.keepaliveMs));
      const waiting = this.#waiting;
      this.#waiting = [];
      if (waiting.length > 0 && !socket.write(waiting.join(''))) this.#stalledSince = Date.now();
      this.#watch = setInterval(() => this.#checkStall(socket), Math.max(50, Math.min(1000, o.timeoutMs / 2)));
      this.#watch.unref();
    });
    socket.on('drain', () => {
      this.#stalledSince = 0;
    });
    socket.on('timeout', () => {
      if (this.#connected) socket.end();
      else socket.destroy(new Error(`timeout connecting to ${this.#where()}`));
    });
    socket.on('error', (err) => {
      if (!this.#connected) this.#dropWaiting(`could not connect to ${this.#where()}: ${err.message}`);
      else this.report('send_failed', 1, `connection to ${this.#where()} failed: ${err.message}`);
    });
    socket.on('close', () => {
      if (this.#watch !== null) clearInterval(this.#watch);
      this.#watch = null;
      if (this.#socket === socket) {
        this.#socket = null;
        this.#connected = false;
        this.#stalledSince = 0;
        if (this.#waiting.length > 0) this.#connect();
      }
    });
  }

  /** The peer has not read what we sent for `timeout` ms: give the connection up. */
  #checkStall(socket: Socket): void {
    if (this.#stalledSince !== 0 && Date.now() - this.#stalledSince > this.#o.timeoutMs) {
      socket.destroy(new Error(`${this.#where()} read nothing for ${this.#o.timeoutMs} ms`));
    }
  }

  #dropWaiting(message: string): void {
    const lost = this.#waiting.length;
    this.#waiting = [];
    this.report('send_failed', 1, message);
    if (lost > 0) this.report('dropped_unreachable', lost, `${message}; ${lost} entries lost`);
  }
}

export class UdpSink {
  readonly #host: string;
  readonly #port: number;
  report: SinkReport;
  #socket: UdpSocket | null = null;
  #opening = false;
  #ready = false;
  #waiting: string[] = [];
  readonly #sent: (err: Error | null) => void;

  constructor(host: string, port: number, report: SinkReport) {
    this.#host = host;
    this.#port = port;
    this.report = report;
    this.#sent = (err) => {
      if (err) this.report('dropped_send_failed', 1, `could not send to ${this.#host}:${this.#port}: ${err.message}`);
    };
  }

  send(datagram: string): void {
    const socket = this.#socket;
    if (socket !== null && this.#ready) {
      socket.send(datagram, this.#sent);
      return;
    }
    if (this.#waiting.length >= MAX_WAITING_LINES) {
      this.report('dropped_queue_full', 1, `too many entries waiting for ${this.#host}:${this.#port} to resolve; dropping entries`);
      return;
    }
    this.#waiting.push(datagram);
    if (!this.#opening) this.#open();
  }

  #open(): void {
    this.#opening = true;
    lookup(this.#host, (err, address, family) => {
      if (err) {
        this.#fail(`could not resolve ${this.#host}: ${err.message}`);
        return;
      }
      const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
      socket.unref();
      this.#socket = socket;
      socket.on('error', (e) => {
        this.report('send_failed', 1, `udp socket to ${this.#host}:${this.#port} failed: ${e.message}`);
        socket.close();
        if (this.#socket === socket) {
          this.#socket = null;
          this.#ready = false;
          this.#opening = false;
        }
      });
      socket.connect(this.#port, address, () => {
        this.#ready = true;
        const waiting = this.#waiting;
        this.#waiting = [];
        for (const d of waiting) socket.send(d, this.#sent);
      });
    });
  }

  #fail(message: string): void {
    const lost = this.#waiting.length;
    this.#waiting = [];
    this.#opening = false;
    this.report('send_failed', 1, message);
    if (lost > 0) this.report('dropped_unreachable', lost, `${message}; ${lost} entries lost`);
  }
}

/** A plugin's report function: counted under its name, warned (rate-limited) through its env. */
export function reportTo(plugin: string, env: PluginEnv): SinkReport {
  return (kind, count, message) => {
    env.metrics.failure(plugin, kind, count);
    env.warn(plugin, message);
  };
}

/**
 * The sink for `key` in a plugin's per-worker table, made on first use; one that exists
 * already reports from now on to the newest holder (the latest config version's env).
 */
export function sinkFor<S extends { report: SinkReport }>(sinks: Map<string, S>, key: string, report: SinkReport, make: (report: SinkReport) => S): S {
  let sink = sinks.get(key);
  if (sink === undefined) {
    sink = make(report);
    sinks.set(key, sink);
  } else sink.report = report;
  return sink;
}
