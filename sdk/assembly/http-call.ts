// Outgoing HTTP calls (proxy_http_call). The response arrives later in
// onHttpCallResponse of the context that made the call.
import { proxy_http_call } from "./imports";
import { RET_EXTRA } from "./alloc";
import { getBuffer } from "./body";
import { HeaderPair, serializePairs } from "./pairs";
import { BufferType, Status } from "./types";

/**
 * Dispatch a call to `upstream` ("host:port" or a URL origin). `headers` must carry
 * `:method`, `:path` and `:authority`. Returns the call token, or 0 when the host refused it.
 */
export function httpCall(upstream: string, headers: HeaderPair[], body: string, timeoutMs: u32): u32 {
  const u = String.UTF8.encode(upstream);
  const h = serializePairs(headers);
  const b = String.UTF8.encode(body);
  const t = serializePairs([]);
  store<u32>(RET_EXTRA, 0);
  const status = proxy_http_call(
    changetype<usize>(u), <usize>u.byteLength, changetype<usize>(h), <usize>h.byteLength,
    changetype<usize>(b), <usize>b.byteLength, changetype<usize>(t), <usize>t.byteLength, timeoutMs, RET_EXTRA,
  );
  return status == Status.Ok ? load<u32>(RET_EXTRA) : 0;
}

/** Body of the http call response being delivered (inside onHttpCallResponse). */
export function httpCallResponseBody(): ArrayBuffer {
  return getBuffer(BufferType.HttpCallResponseBody);
}
