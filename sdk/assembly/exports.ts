// The only file with proxy_on_* exports: it routes context ids to the author's objects
// (as the Rust SDK's dispatcher.rs). A plugin's entry file re-exports this module:
//   export * from "<sdk>/assembly/exports";
import { allocate } from "./alloc";
import { HttpContext, RootContext } from "./context";
import { ERR_NO_ROOT, ERR_UNKNOWN_CONTEXT } from "./errors";
import { RootFactory, registry, roots, streams } from "./registry";
import { Action } from "./types";

// Live http contexts sit in a slot table (registry.ts): a lookup is an array read.
function stream(id: u32): HttpContext {
  if (!streams.has(id)) abort(ERR_UNKNOWN_CONTEXT);
  return streams.get(id);
}

// Nearly every request has the same parent: the plugin's one root context.
let lastRootId: u32 = 0;
let lastRoot: RootContext | null = null;

function root(id: u32): RootContext {
  if (id == lastRootId && lastRoot !== null) return changetype<RootContext>(lastRoot);
  if (!roots.has(id)) abort(ERR_UNKNOWN_CONTEXT);
  const found = roots.get(id);
  lastRootId = id;
  lastRoot = found;
  return found;
}

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_memory_allocate(size: usize): usize {
  return allocate(size);
}

export function proxy_on_context_create(id: u32, parent: u32): void {
  if (parent == 0) {
    if (registry.factory === null) abort(ERR_NO_ROOT);
    roots.set(id, changetype<RootFactory>(registry.factory)(id));
    return;
  }
  const created = root(parent).createHttpContext(id);
  streams.set(id, created);
}

export function proxy_on_vm_start(root: u32, size: u32): bool {
  return roots.has(root) ? roots.get(root).onVmStart(size) : false;
}

export function proxy_on_configure(root: u32, size: u32): bool {
  return roots.has(root) ? roots.get(root).onConfigure(size) : false;
}

export function proxy_on_tick(root: u32): void {
  if (roots.has(root)) roots.get(root).onTick();
}

export function proxy_on_request_headers(id: u32, n: u32, eos: bool): Action {
  return stream(id).onRequestHeaders(n, eos);
}

export function proxy_on_request_body(id: u32, size: u32, eos: bool): Action {
  return stream(id).onRequestBody(size, eos);
}

export function proxy_on_request_trailers(id: u32, n: u32): Action {
  return stream(id).onRequestTrailers(n);
}

export function proxy_on_response_headers(id: u32, n: u32, eos: bool): Action {
  return stream(id).onResponseHeaders(n, eos);
}

export function proxy_on_response_body(id: u32, size: u32, eos: bool): Action {
  return stream(id).onResponseBody(size, eos);
}

export function proxy_on_response_trailers(id: u32, n: u32): Action {
  return stream(id).onResponseTrailers(n);
}

export function proxy_on_http_call_response(id: u32, token: u32, headers: u32, bodySize: u32, trailers: u32): void {
  if (roots.has(id)) roots.get(id).onHttpCallResponse(token, headers, bodySize, trailers);
  else if (streams.has(id)) streams.get(id).onHttpCallResponse(token, headers, bodySize, trailers);
}

export function proxy_on_log(id: u32): void {
  if (streams.has(id)) streams.get(id).onLog();
}

export function proxy_on_done(id: u32): bool {
  if (streams.has(id)) return streams.get(id).onDone();
  if (roots.has(id)) return roots.get(id).onDone();
  return true;
}

export function proxy_on_delete(id: u32): void {
  if (streams.has(id)) {
    streams.get(id).onDelete();
    streams.delete(id);
  } else if (roots.has(id)) {
    roots.get(id).onDelete();
    roots.delete(id);
    if (id == lastRootId) {
      lastRootId = 0;
      lastRoot = null;
    }
  }
}

/**
 * Which request-phase callbacks some HttpContext subclass of this plugin overrides (bit i:
 * StreamCallback i; bit 6 onLog, bit 7 onDone). `gatehouse plugin build` fills it in with
 * a compile-time transform (sdk/transform); the base methods are no-ops, so the host can
 * skip the others exactly. Without the transform every bit is set: everything is called.
 */
export const gatehouse_http_callbacks: u32 = 0xffffffff;
