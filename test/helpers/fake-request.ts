/**
 * A PluginRequest stand-in for 02-unit tests: a handler's phase methods run against it
 * with no gateway. It records exits, header changes, state and log values; the parts of
 * the contract a test does not set throw when used, so a test never passes by accident.
 */
import type { PluginRequest } from '../../core/plugins/contract.js';
import { ResponseHead } from '../../core/plugins/response-head.js';

export interface FakeRequestInit {
  method?: string;
  path?: string;
  query?: string;
  /** Flat `[name, value, …]`, names lower-case. */
  headers?: string[];
  remoteAddress?: string;
  hasBody?: boolean;
}

export class FakeRequest {
  method: string;
  path: string;
  url: string;
  query: string;
  headers: string[];
  remoteAddress: string;
  hasBody: boolean;
  exitedWith: { status: number; body: unknown; headers: readonly string[] } | null = null;
  bodyLimit = 0;
  logValues: Record<string, unknown> = {};
  states: unknown[] = [];
  response = new ResponseHead(200, []);

  constructor(init: FakeRequestInit = {}) {
    this.method = init.method ?? 'GET';
    this.path = init.path ?? '/';
    this.url = this.path;
    this.query = init.query ?? '';
    this.headers = init.headers ?? [];
    this.remoteAddress = init.remoteAddress ?? '127.0.0.1';
    this.hasBody = init.hasBody ?? false;
  }

  get exited(): boolean {
    return this.exitedWith !== null;
  }

  header(name: string): string | undefined {
    for (let i = 0; i < this.headers.length; i += 2) if (this.headers[i] === name) return this.headers[i + 1];
    return undefined;
  }

  setHeader(name: string, value: string): void {
    this.removeHeader(name);
    this.headers.push(name, value);
  }

  removeHeader(name: string): void {
    const kept: string[] = [];
    for (let i = 0; i < this.headers.length; i += 2) if (this.headers[i] !== name) kept.push(this.headers[i] as string, this.headers[i + 1] as string);
    this.headers = kept;
  }

  limitBody(max: number): void {
    this.bodyLimit = max;
  }

  exit(status: number, body?: unknown, headers: readonly string[] = []): void {
    this.exitedWith = { status, body, headers };
  }

  getState(slot: number): unknown {
    return this.states[slot];
  }

  setState(slot: number, value: unknown): void {
    this.states[slot] = value;
  }

  setLogValue(key: string, value: unknown): void {
    this.logValues[key] = value;
  }

  /** This object as the contract type (members it lacks throw a TypeError if a handler uses them). */
  get req(): PluginRequest {
    return this as unknown as PluginRequest;
  }
}
