// Body and configuration buffers.
import { proxy_get_buffer_bytes, proxy_set_buffer_bytes } from "./imports";
import { RET_LEN, RET_PTR, clearReturn, takeReturned } from "./alloc";
import { BufferType, Status } from "./types";

/** Bytes [start, start+maxSize) of a buffer; empty when absent. */
export function getBuffer(type: BufferType, start: u32 = 0, maxSize: u32 = u32.MAX_VALUE): ArrayBuffer {
  clearReturn();
  if (proxy_get_buffer_bytes(<u32>type, start, maxSize, RET_PTR, RET_LEN) != Status.Ok) return new ArrayBuffer(0);
  return takeReturned();
}

/** Replace `size` bytes at `start` with `data`. */
export function setBuffer(type: BufferType, start: u32, size: u32, data: ArrayBuffer): Status {
  return <Status>proxy_set_buffer_bytes(<u32>type, start, size, changetype<usize>(data), <usize>data.byteLength);
}

export function requestBody(): ArrayBuffer { return getBuffer(BufferType.HttpRequestBody); }
export function responseBody(): ArrayBuffer { return getBuffer(BufferType.HttpResponseBody); }
export function requestBodyText(): string { return String.UTF8.decode(requestBody()); }
export function responseBodyText(): string { return String.UTF8.decode(responseBody()); }

/** Replace the whole buffered request body. */
export function setRequestBody(text: string): Status {
  return setBuffer(BufferType.HttpRequestBody, 0, u32.MAX_VALUE, String.UTF8.encode(text));
}

export function setResponseBody(text: string): Status {
  return setBuffer(BufferType.HttpResponseBody, 0, u32.MAX_VALUE, String.UTF8.encode(text));
}
