/**
 * Worker thread entry: load the uWS native binary (a failure is fatal, never a silent
 * fallback), materialise the snapshot, serve, switch runtime on each new snapshot, and on
 * `drain` stop accepting, finish in-flight requests, close the listen socket and exit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadUws } from '../lib/uws.js';
import { startClock } from '../lib/clock.js';
import { decodeSnapshot } from '../snapshot/subscribe.js';
import { createAccessLog, createLogger } from '../observe/log.js';
import { closeAllPools } from '../proxy/upstream.js';
import { Pipeline } from './pipeline.js';
import { materialize, pluginWarnings, retirePlugins, retirePools, type WorkerTables } from './runtime.js';
import { ProxyServer } from './server.js';
import { StrictFront } from './strict/front.js';
import { guardedUwsHandler, refuseOnUws } from './uws-guard.js';
import type { HttpFront } from './http-front.js';
import { TlsListener } from '../tls/listener.js';
import type { CompiledTlsListener } from '../compile/types.js';
import { FilterInstances } from './filter-instances.js';
import { SharedKv } from '../shared/kv.js';
import { UpstreamState } from '../shared/upstream-state.js';
import { TokenCounters } from '../shared/token-counters.js';
import { WasmMetrics } from '../wasm/metrics.js';
import type { MetricsSnapshot } from '../observe/metrics.js';
import { WorkerMetrics } from '../observe/metrics.js';
import { drainLogQueues } from '../observe/log-queue.js';
import type { FromWorker, ToWorker, WorkerData } from './types.js';

const port = parentPort;
if (port === null) throw new Error('core/worker/main.ts must run in a worker thread');
const data = workerData as WorkerData;
const settings = data.settings;

function send(message: FromWorker): void {
  port?.postMessage(message);
}

const uws = loadUws();
startClock();
const accessLog = createAccessLog(settings.accessLog, settings.index);
const wasmLog = createLogger(settings.logLevel, { worker: settings.index, component: 'wasm' });
const filterInstances = new FilterInstances(SharedKv.attach(data.kv), new WasmMetrics(), (record) =>
  wasmLog[record.level === 'critical' ? 'fatal' : record.level]({ filter: record.filter }, record.message),
);
const upstreamState = UpstreamState.attach(data.upstreamState);
const tokenCounters = TokenCounters.attach(data.tokenCounters);
const metrics = new WorkerMetrics();
const tables: WorkerTables = { filterInstances, upstreamState, tokenCounters, workerIndex: settings.index, listen: { host: settings.proxyHost, port: settings.proxyPort }, metrics, warnings: pluginWarnings(settings.index) };
const initialConfig = decodeSnapshot(data.snapshot);
const strictFront = (settings.httpFront ?? 'strict') === 'strict';
const pipeline = new Pipeline(
  materialize(initialConfig, tables),
  settings.proxyPort,
  settings.limits,
  accessLog,
  settings.index,
  strictFront ? { scheme: 'http', httpsPort: -1, metrics } : { scheme: 'http', httpsPort: -1, metrics, refuse: refuseOnUws },
);
const server: HttpFront = strictFront ? new StrictFront(settings.limits) : new ProxyServer(uws);
// The HTTPS listener: its own Pipeline (scheme https) over the same runtime and metrics.
const tlsSettings = settings.tls ?? null;
const tlsPipeline =
  tlsSettings === null
    ? null
    : new Pipeline(pipeline.runtime, tlsSettings.port, settings.limits, accessLog, settings.index, {
        scheme: 'https',
        httpsPort: tlsSettings.port,
        metrics,
        refuse: refuseOnUws,
      });
const tls = tlsSettings === null || tlsPipeline === null ? null : new TlsListener(uws, tlsSettings, guardedUwsHandler(tlsPipeline.handle));

/** Serves a config's certificates (rebuilt only when they changed). Throws if the port cannot be bound. */
function applyTls(table: CompiledTlsListener | null): void {
  if (tls === null || tlsPipeline === null) return;
  try {
    tls.apply(table);
  } finally {
    pipeline.setHttpsPort(tls.listening ? tls.port : -1);
    tlsPipeline.setListenPort(tls.port);
  }
}
let draining = false;

function applySnapshot(snapshot: SharedArrayBuffer): void {
  let version = -1;
  try {
    const config = decodeSnapshot(snapshot);
    version = config.version;
    if (version <= pipeline.runtime.version) return;
    const previous = pipeline.runtime;
    const runtime = materialize(config, tables);
    pipeline.setRuntime(runtime);
    tlsPipeline?.setRuntime(runtime);
    try {
      applyTls(config.tls.listener);
    } catch (err) {
      process.stderr.write(`gatehouse worker ${settings.index}: TLS listener kept its previous certificates: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    retirePools(runtime);
    filterInstances.retire(runtime.filters);
    retirePlugins(previous, runtime);
    send({ type: 'applied', version });
  } catch (err) {
    // Keep serving the old runtime: a bad snapshot never replaces a good one.
    send({ type: 'apply-failed', version, message: err instanceof Error ? err.message : String(err) });
  }
}

/** How long a draining worker lets log plugins send what they queued. */
const LOG_DRAIN_MS = 2000;

/** How long a draining worker waits for its upstream pools to close gracefully. */
const POOL_CLOSE_MS = 2000;

async function drain(timeoutMs: number): Promise<void> {
  if (draining) return;
  draining = true;
  server.close();
  tls?.close();
  await Promise.all([whenIdle(pipeline, timeoutMs), whenIdle(tlsPipeline, timeoutMs)]);
  // Open client connections must be closed, and their handles released by the loop,
  // before the thread is torn down (see ProxyServer.closeAll). Past the drain timeout
  // this also cuts requests still running (an endless SSE stream): their onAborted
  // aborts the upstream request, so closing the pools below cannot wait on them forever.
  server.closeAll();
  tls?.closeAll();
  await loopTurns(2);
  // Log plugins' queued entries get a bounded last chance (Kong's queues run to empty on exit).
  await drainLogQueues(LOG_DRAIN_MS);
  await accessLog.flush();
  await Promise.race([closeAllPools(), new Promise((resolve) => setTimeout(resolve, POOL_CLOSE_MS))]);
  send({ type: 'drained' });
  process.exit(0);
}

/** Resolves when `p` has no request in flight, or after timeoutMs. */
function whenIdle(p: Pipeline | null, timeoutMs: number): Promise<void> {
  if (p === null || p.inflight === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    p.onIdle = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

/** Lets libuv run `n` iterations so the close callbacks of closed sockets complete. */
async function loopTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

// A bug that escapes a handler must not take the process down with it: close the
// listen socket (a thread torn down with one open aborts the process), then exit so
// the supervisor starts a fresh worker. The other workers keep the port meanwhile.
process.on('uncaughtException', (err) => {
  process.stderr.write(`gatehouse worker ${settings.index}: uncaught ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  server.closeAll();
  tls?.closeAll();
  void loopTurns(2).then(() => {
    // Hand the supervisor this worker's final counts (the requests cut just above
    // included), so /metrics totals keep what it served since the last scrape. A failure
    // here must not stop the exit.
    try {
      send({ type: 'metrics', id: 0, snapshot: metricsSnapshot() });
    } catch {
      /* exit anyway */
    }
    process.exit(70);
  });
});

/** This worker's counters for a scrape: traffic, WASM filters, access-log lines dropped. */
function metricsSnapshot(): MetricsSnapshot {
  return { ...pipeline.metrics.snapshot(filterInstances.metrics), accessLogDropped: accessLog.dropped };
}

/**
 * `crash` is the supervisor's debug-only chaos hook (Supervisor.crashWorker, sent only
 * when GATEHOUSE_DEBUG_ENDPOINTS=1): throw outside any handler, from a fresh macrotask,
 * so the exception is truly uncaught and takes the path above, as a real bug would.
 */
port.on('message', (message: ToWorker) => {
  if (message.type === 'crash') {
    setImmediate(() => {
      throw new Error(`worker ${settings.index}: crash requested by the debug endpoint`);
    });
  } else if (message.type === 'snapshot') applySnapshot(message.snapshot);
  else if (message.type === 'drain') void drain(message.timeoutMs);
  else if (message.type === 'ping') send({ type: 'pong', seq: message.seq });
  else if (message.type === 'stall') {
    const until = Date.now() + message.ms;
    setImmediate(() => {
      while (Date.now() < until) {
        /* deliberately stuck: the debug stall hook */
      }
    });
  }
  else if (message.type === 'metrics') send({ type: 'metrics', id: message.id, snapshot: metricsSnapshot() });
  else if (message.type === 'access-log') accessLog.setEnabled(message.on);
});

server.listen(settings.proxyHost, settings.proxyPort, pipeline.handle).then(
  (boundPort) => {
    pipeline.setListenPort(boundPort);
    try {
      applyTls(initialConfig.tls.listener);
    } catch (err) {
      server.closeAll();
      send({ type: 'listen-failed', message: err instanceof Error ? err.message : String(err) });
      void loopTurns(2).then(() => process.exit(1));
      return;
    }
    send({ type: 'listening', port: boundPort });
  },
  (err: unknown) => {
    send({ type: 'listen-failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
