// noop: the bench's baseline filter. By default it does nothing in every callback, so
// what it costs is the host's price for running a filter at all (context create, one
// guest call per phase, log/done/delete). With {"touch_headers": true} it reads two
// request headers and sets two (the bench's wasm-headers scenario). With {"work": N} it
// spends N loop iterations of guest CPU in the request-headers callback (the fuel
// micro-benchmark's compute-bound case) and reports the result in `x-bench-work`.
import { Action, HttpContext, RootContext, logWarn, pluginConfigJson, registerRoot, requestHeaders } from "../../../sdk/assembly/index";
export * from "../../../sdk/assembly/exports";

class NoopRoot extends RootContext {
  touchHeaders: bool = false;
  work: u32 = 0;

  onConfigure(configSize: u32): bool {
    if (configSize == 0) return true;
    const json = pluginConfigJson();
    if (json === null) {
      logWarn("noop: configuration is not valid JSON");
      return false;
    }
    this.touchHeaders = json.getBool("touch_headers", false);
    const work = json.getNumber("work", 0);
    if (!(work >= 0 && work <= 1e9)) {
      logWarn("noop: work must be a number from 0 to 1e9");
      return false;
    }
    this.work = <u32>work;
    return true;
  }

  // Chosen once per request context, never tested inside a callback.
  createHttpContext(contextId: u32): HttpContext {
    if (this.work > 0) return new WorkHttp(contextId, this, this.work);
    return this.touchHeaders ? new HeadersHttp(contextId, this) : new HttpContext(contextId, this);
  }
}

/** Reads `x-bench-a` and `user-agent`, sets `x-bench-seen` and `x-bench-agent`. */
class HeadersHttp extends HttpContext {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const a = requestHeaders.get("x-bench-a");
    const agent = requestHeaders.get("user-agent");
    requestHeaders.set("x-bench-seen", a === null ? "none" : a);
    requestHeaders.set("x-bench-agent", agent === null ? "none" : agent);
    return Action.Continue;
  }
}

/** FNV-1a over the low bytes of 0..work-1, set as `x-bench-work` (hex): pure guest CPU. */
class WorkHttp extends HttpContext {
  constructor(contextId: u32, root: RootContext, private readonly work: u32) {
    super(contextId, root);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    let hash: u32 = 2166136261;
    for (let i: u32 = 0; i < this.work; i++) hash = (hash ^ (i & 0xff)) * 16777619;
    requestHeaders.set("x-bench-work", hash.toString(16));
    return Action.Continue;
  }
}

registerRoot((id: u32): RootContext => new NoopRoot(id));
