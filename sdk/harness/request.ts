/**
 * Builders for the fake requests and responses the harness drives through a filter.
 */
import type { HeaderPair } from '../../core/wasm/header-map.js';
import type { SimpleRequestInit, SimpleResponseInit } from '../../core/wasm/host-request.js';

export type BodyInit = string | Uint8Array;

export interface ScriptedRequest extends SimpleRequestInit {
  /** Request body; absent means a request without a body (end of stream after headers). */
  readonly body?: BodyInit;
  /** Upstream response played back after the request phases; defaults to 200 with no body. */
  readonly response?: ScriptedResponse;
}

export interface ScriptedResponse extends SimpleResponseInit {
  readonly body?: BodyInit;
}

const encoder = new TextEncoder();

export function bodyBytes(body: BodyInit | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  return typeof body === 'string' ? encoder.encode(body) : body;
}

/** A GET request with optional headers. */
export function get(path: string, headers: Readonly<Record<string, string>> = {}): ScriptedRequest {
  return { method: 'GET', path, headers };
}

/** A POST request with a body (a JSON value is serialised and typed). */
export function post(path: string, body: BodyInit | Record<string, unknown>, headers: Readonly<Record<string, string>> = {}): ScriptedRequest {
  if (typeof body === 'string' || body instanceof Uint8Array) return { method: 'POST', path, headers, body };
  return { method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** An upstream response. */
export function response(status: number, body?: BodyInit, headers: Readonly<Record<string, string>> | readonly HeaderPair[] = {}): ScriptedResponse {
  return body === undefined ? { status, headers } : { status, headers, body };
}
