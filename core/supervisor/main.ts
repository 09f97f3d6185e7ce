/**
 * The supervisor (main thread): owns the config, publishes snapshots, spawns N worker
 * threads on one port and restarts any that dies, and shuts down in order:
 *
 *   start:    build config (fail = exit with every error) -> snapshot -> worker 0 listens
 *             (learns the port when it is 0) -> workers 1..N-1 on that port -> ready
 *   reload:   build -> on success publish (workers swap on their next request);
 *             on failure keep the running config and report every error
 *   crash:    a worker that exits unasked is replaced; the others keep the port open
 *   shutdown: every worker drains (stop accepting, finish in-flight, exit)
 */
import { freePort } from '../lib/free-port.js';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { CompiledConfig } from '../compile/types.js';
import type { NormalizedConfig } from '../config/types.js';
import { createControl, encodeSnapshot, publishVersion } from '../snapshot/publish.js';
import type { FromWorker, ToWorker, WorkerData, WorkerSettings } from '../worker/types.js';
import { buildFromFile, buildFromNormalized, type BuildResult } from './reload.js';
import { FilterPreparer } from './wasm-filters.js';
import { SharedKv } from '../shared/kv.js';
import { UpstreamState } from '../shared/upstream-state.js';
import { TokenCounters } from '../shared/token-counters.js';
import { TargetSlots } from '../proxy/health/table.js';
import { HealthChecker } from '../proxy/health/active.js';
import { MetricsCollector } from './metrics-collector.js';
import { HEARTBEAT_INTERVAL_MS, checkHeartbeat, heartbeatAnswered, newWorkerSlot, occupySlot, type WorkerSlot } from './worker-slot.js';
import { renderPrometheus, type GatewayFacts } from '../observe/prometheus.js';
import { exportsUpstreamHealth } from '../plugins/prometheus/mode.js';
import { applyGatewayV8Flags } from './v8-flags.js';

export interface SupervisorOptions {
  configPath: string | null;
  /** Used when configPath is null (tests, admin-provided config). */
  config?: NormalizedConfig;
  workers: number;
  proxyHost: string;
  proxyPort: number;
  worker: Omit<WorkerSettings, 'index' | 'proxyHost' | 'proxyPort'>;
  drainTimeoutMs?: number;
  /** Kong's wasm_filters_path: where `<name>.wasm` filters are found. */
  wasmFiltersPath?: string | null;
}


/**
 * Debug-only message (admin `POST /debug/workers/{i}/crash`, GATEHOUSE_DEBUG_ENDPOINTS=1):
 * the worker throws an uncaught exception so chaos tests exercise the real crash path.
 * Kept out of ToWorker (core/worker/types.ts) so the production contract has no crash verb.
 */
export const CRASH_MESSAGE = { type: 'crash' } as const;


const WORKER_ENTRY = new URL('../worker/main.js', import.meta.url);
const RESTART_DELAY_MS = 100;

export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #log: Logger;
  readonly #control = createControl();
  /** proxy-wasm shared data: one table every worker attaches to. */
  readonly #kv = SharedKv.create();
  readonly #filters: FilterPreparer;
  /** Target health, in-flight counts and latency, shared with every worker. */
  readonly #upstreamState = UpstreamState.create();
  readonly #targetSlots = new TargetSlots(this.#upstreamState);
  /** ai-rate-limiting-advanced counters: created once, so reloads and worker restarts keep them. */
  readonly #tokenCounters = TokenCounters.create();
  /** Active health checks (probes run here, results land in #upstreamState). */
  readonly health: HealthChecker;
  #snapshot: SharedArrayBuffer | null = null;
  #compiled: CompiledConfig | null = null;
  #normalized: NormalizedConfig | null = null;
  #version = 0;
  #port = 0;
  #slots: WorkerSlot[] = [];
  #stopping = false;
  #queue: Promise<unknown> = Promise.resolve();
  #heartbeat: NodeJS.Timeout | null = null;
  #heartbeatSeq = 0;
  readonly #metrics = new MetricsCollector();
  restarts = 0;
  reloads = 0;
  readonly startedAt = Date.now();

  constructor(options: SupervisorOptions, log: Logger) {
    this.#options = options;
    this.#log = log;
    this.#filters = new FilterPreparer({ dir: options.wasmFiltersPath ?? null });
    this.health = new HealthChecker(this.#upstreamState, { log: (message, fields) => this.#log.warn(fields ?? {}, message) });
  }

  get port(): number {
    return this.#port;
  }

  get version(): number {
    return this.#version;
  }

  get configHash(): string {
    return this.#compiled?.hash ?? '';
  }

  get config(): NormalizedConfig | null {
    return this.#normalized;
  }

  workerStates(): { index: number; alive: boolean; version: number; restarts: number; thread_id: number | null; unresponsive: boolean }[] {
    return this.#slots.map((s) => ({
      index: s.index,
      alive: s.worker !== null && s.listening,
      version: s.version,
      restarts: s.restarts,
      thread_id: s.worker?.threadId ?? null,
      unresponsive: s.unresponsive,
    }));
  }

  /**
   * Chaos hook (debug endpoints only): tells worker `index` to die of an uncaught
   * exception, through its real crash path (close sockets, exit 70, restarted here).
   * False when there is no such live worker.
   */
  crashWorker(index: number): boolean {
    const slot = this.#slots[index];
    if (slot === undefined || slot.worker === null || !slot.listening || slot.stopping || this.#stopping) return false;
    slot.worker.postMessage(CRASH_MESSAGE);
    return true;
  }

  /** Chaos hook (debug endpoints only): blocks worker `index`'s event loop for `ms`. */
  stallWorker(index: number, ms: number): boolean {
    const slot = this.#slots[index];
    if (slot === undefined || slot.worker === null || !slot.listening || slot.stopping || this.#stopping) return false;
    slot.worker.postMessage({ type: 'stall', ms } satisfies ToWorker);
    return true;
  }

  /**
   * Bench hook (debug endpoints only): switches every live worker's configured access log
   * off or on, so one process measures its cost (bench scenario small-get-log). Returns
   * how many workers were told.
   */
  setAccessLog(on: boolean): number {
    let told = 0;
    for (const slot of this.#slots) {
      if (slot.worker === null || !slot.listening || slot.stopping) continue;
      slot.worker.postMessage({ type: 'access-log', on } satisfies ToWorker);
      told++;
    }
    return told;
  }

  async #build(version: number): Promise<BuildResult> {
    let built: BuildResult;
    if (this.#options.configPath !== null) built = await buildFromFile(this.#options.configPath, version, this.#filters);
    else if (this.#options.config !== undefined) built = await buildFromNormalized(this.#options.config, version, this.#filters);
    else throw new Error('no config: give a config file');
    return this.#assignSlots(built);
  }

  /** Gives each target its slot in the shared health table (kept across reloads). */
  #assignSlots(built: BuildResult): BuildResult {
    if (!built.ok) return built;
    try {
      this.#targetSlots.assign(built.compiled.upstreams);
      return built;
    } catch (err) {
      return { ok: false, errors: [{ path: 'upstreams', message: err instanceof Error ? err.message : String(err) }] };
    }
  }

  /** Builds the first config and starts the workers. Rejects with every config error. */
  async start(): Promise<void> {
    applyGatewayV8Flags();
    const built = await this.#build(1);
    if (!built.ok) throw new ConfigRejectedError(built.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)));
    this.#adopt(built.normalized, built.compiled);
    this.health.start(built.compiled.upstreams);
    const count = Math.max(1, this.#options.workers);
    this.#slots = Array.from({ length: count }, (_, index) => newWorkerSlot(index));
    const first = this.#slots[0] as WorkerSlot;
    const requested = this.#options.proxyPort;
    if (requested !== 0 || count === 1) {
      this.#port = await this.#spawn(first, requested);
    } else {
      // uSockets enables SO_REUSEPORT only for a non-zero port, so N workers cannot share
      // a port the kernel picked for the first one. Pick a free port here instead, and
      // try another if something else takes it before the first worker binds.
      for (let attempt = 1; ; attempt++) {
        const port = await freePort(this.#options.proxyHost);
        try {
          this.#port = await this.#spawn(first, port);
          break;
        } catch (err) {
          if (attempt >= 5) throw err;
        }
      }
    }
    await Promise.all(this.#slots.slice(1).map((slot) => this.#spawn(slot, this.#port)));
    this.#heartbeat = setInterval(() => this.#checkHeartbeats(), HEARTBEAT_INTERVAL_MS);
    this.#heartbeat.unref();
  }

  /**
   * Pings every worker and flags one whose event loop has not answered for
   * HEARTBEAT_TIMEOUT_MS. A stuck worker is reported (log, /status, /metrics) but not
   * terminated: tearing down a thread that still holds uWS sockets aborts the whole
   * process (libuv refuses to close a loop with open handles), which would take every
   * healthy worker down with it. Crashed workers are replaced (see #spawn's exit handler).
   */
  #checkHeartbeats(): void {
    const now = Date.now();
    const seq = ++this.#heartbeatSeq;
    for (const slot of this.#slots) {
      if (checkHeartbeat(slot, now, this.#log)) slot.worker?.postMessage({ type: 'ping', seq } satisfies ToWorker);
    }
  }

  #adopt(normalized: NormalizedConfig, compiled: CompiledConfig): void {
    this.#normalized = normalized;
    this.#compiled = compiled;
    this.#version = compiled.version;
    this.#snapshot = encodeSnapshot(compiled);
    publishVersion(this.#control, compiled.version);
  }

  #spawn(slot: WorkerSlot, port: number): Promise<number> {
    const opts = this.#options;
    const settings: WorkerSettings = { ...opts.worker, index: slot.index, proxyHost: opts.proxyHost, proxyPort: port };
    const data: WorkerData = {
      settings,
      control: this.#control,
      snapshot: this.#snapshot as SharedArrayBuffer,
      kv: this.#kv.buffer,
      upstreamState: this.#upstreamState.buffer,
      tokenCounters: this.#tokenCounters.buffer,
    };
    const worker = new Worker(WORKER_ENTRY, { workerData: data });
    occupySlot(slot, worker, this.#version);
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'listening':
            slot.listening = true;
            settled = true;
            resolve(message.port);
            break;
          case 'listen-failed':
            settled = true;
            reject(new Error(`worker ${slot.index}: ${message.message}`));
            break;
          case 'applied':
            slot.version = message.version;
            break;
          case 'apply-failed':
            this.#log.error({ worker: slot.index, version: message.version, err: message.message }, 'worker kept its previous config');
            break;
          case 'drained':
            break;
          case 'pong':
            heartbeatAnswered(slot, this.#log);
            break;
          case 'metrics':
            this.#metrics.received(slot.index, worker, message.id, message.snapshot);
            break;
        }
      });
      worker.on('error', (err) => {
        this.#log.error({ worker: slot.index, err: err.message }, 'worker error');
        if (!settled) {
          settled = true;
          reject(err);
        }
      });
      worker.on('exit', (code) => {
        const wasListening = slot.listening;
        // Keep what this worker had counted (up to its last scrape) in the totals.
        this.#metrics.exited(worker);
        slot.worker = null;
        slot.listening = false;
        if (!settled) {
          settled = true;
          reject(new Error(`worker ${slot.index} exited with code ${code} before listening`));
          return;
        }
        if (this.#stopping || slot.stopping) return;
        this.restarts++;
        slot.restarts++;
        this.#log.error({ worker: slot.index, code, restarts: this.restarts }, 'worker died; restarting');
        if (!wasListening) return;
        setTimeout(() => {
          if (this.#stopping) return;
          this.#spawn(slot, this.#port).catch((err: unknown) =>
            this.#log.error({ worker: slot.index, err: err instanceof Error ? err.message : String(err) }, 'worker restart failed'),
          );
        }, RESTART_DELAY_MS);
      });
    });
  }

  /** Re-reads the config file (SIGHUP). On any error the running config stays. */
  reload(): Promise<BuildResult> {
    return this.#serialized(async () => {
      const built = await this.#build(this.#version + 1);
      if (!built.ok) {
        this.#log.error({ errors: built.errors }, 'config rejected; keeping the running config');
        return built;
      }
      this.#publish(built.normalized, built.compiled);
      return built;
    });
  }

  /** Replaces the config with an already-normalised one (admin API). */
  apply(normalized: NormalizedConfig): Promise<BuildResult> {
    return this.#serialized(async () => {
      const built = this.#assignSlots(await buildFromNormalized(normalized, this.#version + 1, this.#filters));
      if (built.ok) this.#publish(built.normalized, built.compiled);
      return built;
    });
  }

  /** Builds run one at a time, so each gets the next version and none is lost. */
  #serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #publish(normalized: NormalizedConfig, compiled: CompiledConfig): void {
    this.#adopt(normalized, compiled);
    this.reloads++;
    this.health.update(compiled.upstreams);
    const message: ToWorker = { type: 'snapshot', snapshot: this.#snapshot as SharedArrayBuffer };
    for (const slot of this.#slots) slot.worker?.postMessage(message);
    this.#log.info({ version: compiled.version, hash: compiled.hash }, 'config published');
  }

  /** Prometheus text for the admin `/metrics`: every worker's counters merged. */
  async metricsText(timeoutMs = 1000): Promise<string> {
    const targets = this.#slots.flatMap((s) => (s.worker !== null && s.listening ? [{ index: s.index, worker: s.worker }] : []));
    return renderPrometheus(await this.#metrics.scrape(targets, timeoutMs), this.#facts());
  }

  #facts(): GatewayFacts {
    const targets: GatewayFacts['targets'] = [];
    for (const upstream of this.#compiled?.upstreams ?? []) {
      if (upstream.id === null) continue;
      for (const row of this.health.health(upstream.id)?.data ?? []) {
        const state = row.health === 'HEALTHY' ? 'healthy' : row.health === 'UNHEALTHY' ? 'unhealthy' : 'healthchecks_off';
        targets.push({ upstream: upstream.name, target: row.target, address: row.target, state });
      }
    }
    const states = this.workerStates();
    return {
      workers: states.length,
      workersAlive: states.filter((w) => w.alive).length,
      workersUnresponsive: states.filter((w) => w.unresponsive).length,
      workerRestarts: this.restarts,
      configReloads: this.reloads,
      configVersion: this.#version,
      targets,
      upstreamHealth: this.#compiled === null || exportsUpstreamHealth(this.#compiled.plugins),
    };
  }

  /** Resolves when every live worker runs `version` (or after timeoutMs). */
  async waitForVersion(version: number, timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#slots.every((s) => s.worker === null || s.version >= version)) return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  }

  /** Drains every worker: stop accepting, finish in-flight requests, exit. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    const timeoutMs = this.#options.drainTimeoutMs ?? 10_000;
    await Promise.all(
      this.#slots.map(async (slot) => {
        const worker = slot.worker;
        if (worker === null) return;
        slot.stopping = true;
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage({ type: 'drain', timeoutMs } satisfies ToWorker);
        const timer = setTimeout(() => void worker.terminate(), timeoutMs + 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
    await this.health.stop();
    await this.#filters.close();
  }
}

export class ConfigRejectedError extends Error {
  readonly errors: string[];
  constructor(errors: string[]) {
    super(`config rejected:\n${errors.join('\n')}`);
    this.name = 'ConfigRejectedError';
    this.errors = errors;
  }
}
