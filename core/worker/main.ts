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
import { materialize, retirePools } from './runtime.js';
import { ProxyServer } from './server.js';
import { FilterInstances } from './filter-instances.js';
import { SharedKv } from '../shared/kv.js';
import { UpstreamState } from '../shared/upstream-state.js';
import { WasmMetrics } from '../wasm/metrics.js';
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
const pipeline = new Pipeline(materialize(decodeSnapshot(data.snapshot), filterInstances, upstreamState), settings.proxyPort, settings.limits, accessLog, settings.index);
const server = new ProxyServer(uws);
let draining = false;

function applySnapshot(snapshot: SharedArrayBuffer): void {
  let version = -1;
  try {
    const config = decodeSnapshot(snapshot);
    version = config.version;
    if (version <= pipeline.runtime.version) return;
    const runtime = materialize(config, filterInstances, upstreamState);
    pipeline.setRuntime(runtime);
    retirePools(runtime);
    filterInstances.retire(runtime.filters);
    send({ type: 'applied', version });
  } catch (err) {
    // Keep serving the old runtime: a bad snapshot never replaces a good one.
    send({ type: 'apply-failed', version, message: err instanceof Error ? err.message : String(err) });
  }
}

/** How long a draining worker waits for its upstream pools to close gracefully. */
const POOL_CLOSE_MS = 2000;

async function drain(timeoutMs: number): Promise<void> {
  if (draining) return;
  draining = true;
  server.close();
  if (pipeline.inflight > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      pipeline.onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  // Open client connections must be closed, and their handles released by the loop,
  // before the thread is torn down (see ProxyServer.closeAll). Past the drain timeout
  // this also cuts requests still running (an endless SSE stream): their onAborted
  // aborts the upstream request, so closing the pools below cannot wait on them forever.
  server.closeAll();
  await loopTurns(2);
  await accessLog.flush();
  await Promise.race([closeAllPools(), new Promise((resolve) => setTimeout(resolve, POOL_CLOSE_MS))]);
  send({ type: 'drained' });
  process.exit(0);
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
  void loopTurns(2).then(() => process.exit(70));
});

port.on('message', (message: ToWorker) => {
  if (message.type === 'snapshot') applySnapshot(message.snapshot);
  else if (message.type === 'drain') void drain(message.timeoutMs);
  else if (message.type === 'metrics') send({ type: 'metrics', id: message.id, snapshot: pipeline.metrics.snapshot(filterInstances.metrics) });
});

server.listen(settings.proxyHost, settings.proxyPort, pipeline.handle).then(
  (boundPort) => {
    pipeline.setListenPort(boundPort);
    send({ type: 'listening', port: boundPort });
  },
  (err: unknown) => {
    send({ type: 'listen-failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
