// noop: the bench's baseline filter. By default it does nothing in every callback, so
// what it costs is the host's price for running a filter at all (context create, one
// guest call per phase, log/done/delete). With {"touch_headers": true} it reads two
// request headers and sets two (the bench's wasm-headers scenario).
import { Action, HttpContext, RootContext, logWarn, pluginConfigJson, registerRoot, requestHeaders } from "../../../sdk/assembly/index";
export * from "../../../sdk/assembly/exports";

class NoopRoot extends RootContext {
  touchHeaders: bool = false;

  onConfigure(configSize: u32): bool {
    if (configSize == 0) return true;
    const json = pluginConfigJson();
    if (json === null) {
      logWarn("noop: configuration is not valid JSON");
      return false;
    }
    this.touchHeaders = json.getBool("touch_headers", false);
    return true;
  }

  // Chosen once per request context, never tested inside a callback.
  createHttpContext(contextId: u32): HttpContext {
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

registerRoot((id: u32): RootContext => new NoopRoot(id));
