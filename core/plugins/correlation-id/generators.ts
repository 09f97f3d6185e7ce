/**
 * Correlation id generators, per worker thread (module state is per thread):
 *
 *   uuid           crypto.randomUUID() (Node batches the entropy: no syscall per id)
 *   uuid#counter   `<worker uuid>#<n>`: one UUID per worker, n counts from 1 over every
 *                  instance of the plugin, as Kong's per-worker counter does
 *   tracker        Kong's `<server_addr>-<server_port>-<pid>-<connection>-<connection_requests>-<seconds.millis>`;
 *                  uWS exposes no connection serial, so the fourth field is the worker index
 *                  and the fifth a per-worker request count, which keeps ids unique
 */
import { randomUUID } from 'node:crypto';
import type { PluginEnv } from '../contract.js';
import type { Generator } from './schema.js';

let workerUuid: string | null = null;
let counter = 0;
let tracked = 0;

export type IdGenerator = () => string;

function uuidCounter(): string {
  counter++;
  return `${(workerUuid ??= randomUUID())}#${counter}`;
}

function trackerOf(env: PluginEnv): IdGenerator {
  const fixed = `${env.listen.host}-${env.listen.port}-${process.pid}-${env.workerIndex}-`;
  return () => {
    tracked++;
    return `${fixed}${tracked}-${(Date.now() / 1000).toFixed(3)}`;
  };
}

export function generatorOf(name: Generator, env: PluginEnv): IdGenerator {
  if (name === 'uuid') return randomUUID;
  if (name === 'uuid#counter') return uuidCounter;
  return trackerOf(env);
}
