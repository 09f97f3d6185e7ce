/**
 * One worker position in the supervisor: the thread currently filling it (replaced after a
 * crash), the config version it runs, and its heartbeat. A worker that stops answering
 * pings for HEARTBEAT_TIMEOUT_MS is flagged unresponsive (log, /status, /metrics) and
 * cleared when it answers again; it is not replaced (a uWS thread cannot be terminated
 * safely while it holds sockets).
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

/** Heartbeat: each worker is pinged this often and is unresponsive after this long. */
export const HEARTBEAT_INTERVAL_MS = 1000;
export const HEARTBEAT_TIMEOUT_MS = 5000;

export interface WorkerSlot {
  index: number;
  worker: Worker | null;
  version: number;
  listening: boolean;
  stopping: boolean;
  /** Times this slot's worker died and was replaced. */
  restarts: number;
  /** Date.now() of the last heartbeat answer (or of the spawn). */
  lastPong: number;
  /** No heartbeat answer for HEARTBEAT_TIMEOUT_MS: its event loop is stuck. */
  unresponsive: boolean;
}

export function newWorkerSlot(index: number): WorkerSlot {
  return { index, worker: null, version: 0, listening: false, stopping: false, restarts: 0, lastPong: Date.now(), unresponsive: false };
}

/** A new thread fills the slot (first start or restart). */
export function occupySlot(slot: WorkerSlot, worker: Worker, version: number): void {
  slot.worker = worker;
  slot.listening = false;
  slot.stopping = false;
  slot.lastPong = Date.now();
  slot.unresponsive = false;
  slot.version = version;
}

/** Flags a slot whose worker has been silent too long; true when it should be pinged. */
export function checkHeartbeat(slot: WorkerSlot, now: number, log: Logger): boolean {
  if (slot.worker === null || !slot.listening) return false;
  if (!slot.unresponsive && now - slot.lastPong > HEARTBEAT_TIMEOUT_MS) {
    slot.unresponsive = true;
    log.error({ worker: slot.index, silent_ms: now - slot.lastPong }, 'worker does not answer its heartbeat');
  }
  return true;
}

export function heartbeatAnswered(slot: WorkerSlot, log: Logger): void {
  slot.lastPong = Date.now();
  if (slot.unresponsive) {
    slot.unresponsive = false;
    log.warn({ worker: slot.index }, 'worker answers its heartbeat again');
  }
}
