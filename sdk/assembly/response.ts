import { proxy_send_local_response } from "./imports";
import { HeaderPair, serializePairs } from "./pairs";
import { Status } from "./types";

/**
 * Answer the request from the filter: the upstream is not called. Call it from a request
 * callback and return Action.Pause (the host ignores the action after a local response).
 */
export function sendLocalResponse(status: u32, body: string, headers: HeaderPair[] = [], details: string = ""): Status {
  const b = String.UTF8.encode(body);
  const d = String.UTF8.encode(details);
  const h = serializePairs(headers);
  return <Status>proxy_send_local_response(
    status, changetype<usize>(d), <usize>d.byteLength, changetype<usize>(b), <usize>b.byteLength,
    changetype<usize>(h), <usize>h.byteLength, -1,
  );
}

/** A JSON error body in the gateway's shape: {"message": "..."}. */
export function sendJsonError(status: u32, message: string): Status {
  const escaped = message.replaceAll("\\", "\\\\").replaceAll("\"", "\\\"");
  return sendLocalResponse(status, "{\"message\":\"" + escaped + "\"}", [new HeaderPair("content-type", "application/json; charset=utf-8")]);
}
