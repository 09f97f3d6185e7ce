/**
 * Worker thread entry: load the uWS native binary (a failure is fatal, never a silent
 * fallback), materialise the snapshot, serve, switch runtime on each new snapshot, and on
 * `drain` stop accepting, finish in-flight requests, close the listen socket and exit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadUws } from '../lib/uws.js';
import { startClock } from '../lib/clock.js';
import { decodeSnapshot } from '../snapshot/subscribe.js';
import { createAccessLog } from '../observe/log.js';
import { closeAllPools } from '../proxy/upstream.js';
import { Pipeline } from './pipeline.js';
import { materialize, retirePools } from './runtime.js';
import { ProxyServer } from './server.js';
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
const pipeline = new Pipeline(materialize(decodeSnapshot(data.snapshot)), settings.proxyPort, settings.limits, accessLog, settings.index);
const server = new ProxyServer(uws);
let draining = false;

function applySnapshot(snapshot: SharedArrayBuffer): void {
  let version = -1;
  try {
    const config = decodeSnapshot(snapshot);
    version = config.version;
    if (version <= pipeline.runtime.version) return;
    const runtime = materialize(config);
    pipeline.setRuntime(runtime);
    retirePools(runtime);
    send({ type: 'applied', version });
  } catch (err) {
    // Keep serving the old runtime: a bad snapshot never replaces a good one.
    send({ type: 'apply-failed', version, message: err instanceof Error ? err.message : String(err) });
  }
}

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
  await accessLog.flush();
  await closeAllPools();
  send({ type: 'drained' });
  process.exit(0);
}

// A bug that escapes a handler must not take the process down with it: close the
// listen socket (a thread torn down with one open aborts the process), then exit so
// the supervisor starts a fresh worker. The other workers keep the port meanwhile.
process.on('uncaughtException', (err) => {
  process.stderr.write(`gatehouse worker ${settings.index}: uncaught ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  server.close();
  process.exit(70);
});

port.on('message', (message: ToWorker) => {
  if (message.type === 'snapshot') applySnapshot(message.snapshot);
  else if (message.type === 'drain') void drain(message.timeoutMs);
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
