// Base classes authors extend. Every callback has a no-op default that lets the request
// continue, as the Rust SDK's traits do.
import { proxy_continue_stream, proxy_set_tick_period_milliseconds } from "./imports";
import { Action, StreamType } from "./types";

export class RootContext {
  constructor(public readonly contextId: u32) {}

  /** The VM started; return false to fail the start. */
  onVmStart(vmConfigSize: u32): bool { return true; }
  /** The plugin configuration arrived; return false to refuse it. */
  onConfigure(configSize: u32): bool { return true; }
  onTick(): void {}
  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {}
  /** Create the per-request context. Override to return your HttpContext subclass. */
  createHttpContext(contextId: u32): HttpContext { return new HttpContext(contextId, this); }
  onDone(): bool { return true; }
  onDelete(): void {}

  setTickPeriod(ms: u32): void { proxy_set_tick_period_milliseconds(ms); }
}

export class HttpContext {
  constructor(public readonly contextId: u32, public readonly root: RootContext) {}

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action { return Action.Continue; }
  onRequestBody(bodySize: u32, endOfStream: bool): Action { return Action.Continue; }
  onRequestTrailers(numTrailers: u32): Action { return Action.Continue; }
  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action { return Action.Continue; }
  onResponseBody(bodySize: u32, endOfStream: bool): Action { return Action.Continue; }
  onResponseTrailers(numTrailers: u32): Action { return Action.Continue; }
  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {}
  onLog(): void {}
  onDone(): bool { return true; }
  onDelete(): void {}

  /** Resume a request paused with Action.Pause. */
  resumeRequest(): void { proxy_continue_stream(<u32>StreamType.HttpRequest); }
  resumeResponse(): void { proxy_continue_stream(<u32>StreamType.HttpResponse); }
}
