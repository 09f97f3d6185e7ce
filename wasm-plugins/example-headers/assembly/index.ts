// example-headers: adds a header to every request, answers a configured path prefix with a
// local 403, counts requests in shared data (exact across workers) and emits a metric.
import {
  Action, Counter, HttpContext, RootContext, incrementShared, logInfo, logWarn, pluginConfigJson,
  registerRoot, requestHeaders, responseHeaders, sendJsonError,
} from "../../../sdk/assembly/index";
export * from "../../../sdk/assembly/exports";

class Settings {
  header: string = "x-gatehouse-example";
  value: string = "hello";
  deniedPrefix: string = "/admin";
  counterKey: string = "example-headers:requests";
}

class ExampleRoot extends RootContext {
  settings: Settings = new Settings();
  requests: Counter = new Counter("example_headers_requests_total");
  denied: Counter = new Counter("example_headers_denied_total");

  onConfigure(configSize: u32): bool {
    if (configSize == 0) return true;
    const json = pluginConfigJson();
    if (json === null) {
      logWarn("example-headers: configuration is not valid JSON");
      return false;
    }
    const s = this.settings;
    s.header = json.getString("header", s.header);
    s.value = json.getString("value", s.value);
    s.deniedPrefix = json.getString("denied_prefix", s.deniedPrefix);
    s.counterKey = json.getString("counter_key", s.counterKey);
    logInfo("example-headers: configured header " + s.header);
    return true;
  }

  createHttpContext(contextId: u32): HttpContext {
    return new ExampleHttp(contextId, this);
  }
}

class ExampleHttp extends HttpContext {
  count: i64 = 0;

  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    const root = changetype<ExampleRoot>(this.root);
    root.requests.increment(1);
    this.count = incrementShared(root.settings.counterKey, 1);
    const path = requestHeaders.get(":path");
    if (path !== null && root.settings.deniedPrefix.length > 0 && path.startsWith(root.settings.deniedPrefix)) {
      root.denied.increment(1);
      sendJsonError(403, "Forbidden by example-headers");
      return Action.Pause;
    }
    requestHeaders.set(root.settings.header, root.settings.value);
    return Action.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): Action {
    responseHeaders.set("x-request-count", this.count.toString());
    return Action.Continue;
  }
}

registerRoot((id: u32): RootContext => new ExampleRoot(id));
