/**
 * OTLP/HTTP protobuf encoding of traces, by hand for the few messages Kong sends
 * (opentelemetry-proto v1 trace.proto / common.proto / resource.proto): the
 * @opentelemetry exporters need Node >= 22 in their current versions and pull the SDK and
 * protobufjs in older ones, for one message type.
 *
 *   ExportTraceServiceRequest { 1: ResourceSpans }
 *   ResourceSpans  { 1: Resource { 1: KeyValue* }, 2: ScopeSpans }
 *   ScopeSpans     { 1: InstrumentationScope { 1: name, 2: version }, 2: Span* }
 *   Span           { 1: trace_id, 2: span_id, 3: trace_state, 4: parent_span_id, 5: name,
 *                    6: kind, 7: start (fixed64 ns), 8: end (fixed64 ns), 9: KeyValue*,
 *                    15: Status { 3: code } }
 *   KeyValue       { 1: key, 2: AnyValue { 1: string | 3: int64 | 4: double | 2: bool } }
 *
 * A span is encoded once, in the request's log phase, and queued as bytes; a batch is the
 * queued spans framed under one resource and scope.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

/** Span kinds and status codes (trace.proto). */
export const SpanKind = { SERVER: 2, CLIENT: 3 } as const;
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export type AttributeValue = string | number | boolean | { int: number };

export interface SpanData {
  /** 16 and 8 bytes, as hex. */
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  /** Unix epoch, nanoseconds. */
  startNs: bigint;
  endNs: bigint;
  attributes: readonly (readonly [string, AttributeValue])[];
  status: number;
}

/** Bytes a varint takes. */
function varintSize(value: number): number {
  let n = 1;
  for (let v = value; v > 0x7f; v = Math.floor(v / 128)) n++;
  return n;
}

/** Encoded size of an AnyValue message (its fields only). */
function anyValueSize(v: AttributeValue): number {
  if (typeof v === 'string') {
    const len = Buffer.byteLength(v);
    return 1 + varintSize(len) + len;
  }
  if (typeof v === 'boolean') return 2;
  if (typeof v === 'number' || v.int < 0) return 9;
  return 1 + varintSize(v.int);
}

/**
 * A growable protobuf writer. Nested messages whose size is known ahead (KeyValue,
 * AnyValue, Status) are written in place with computed lengths, so encoding a span
 * allocates only its result (measured: a Writer per attribute made the traced route of
 * a loaded gateway about twice as costly as the logged one).
 */
class Writer {
  #buf: Buffer;
  #pos = 0;

  constructor(size = 512) {
    this.#buf = Buffer.allocUnsafe(size);
  }

  reset(): void {
    this.#pos = 0;
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  varint(value: number): void {
    this.#room(10);
    let v = value;
    while (v > 0x7f) {
      this.#buf[this.#pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#pos++] = v;
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(data.length);
    this.#room(data.length);
    this.#buf.set(data, this.#pos);
    this.#pos += data.length;
  }

  string(field: number, value: string): void {
    const len = Buffer.byteLength(value);
    this.tag(field, WIRE_LEN);
    this.varint(len);
    this.#room(len);
    this.#pos += this.#buf.write(value, this.#pos, 'utf8');
  }

  hex(field: number, value: string): void {
    if (value === '') return;
    const len = value.length / 2;
    this.tag(field, WIRE_LEN);
    this.varint(len);
    this.#room(len);
    this.#pos += this.#buf.write(value, this.#pos, 'hex');
  }

  uint(field: number, value: number): void {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  fixed64(field: number, value: bigint): void {
    this.tag(field, WIRE_FIXED64);
    this.#room(8);
    this.#buf.writeBigUInt64LE(value, this.#pos);
    this.#pos += 8;
  }

  double(field: number, value: number): void {
    this.tag(field, WIRE_FIXED64);
    this.#room(8);
    this.#buf.writeDoubleLE(value, this.#pos);
    this.#pos += 8;
  }

  /** A KeyValue message under `field`, written in place. */
  keyValue(field: number, key: string, value: AttributeValue): void {
    const keyLen = Buffer.byteLength(key);
    const anySize = anyValueSize(value);
    this.tag(field, WIRE_LEN);
    this.varint(1 + varintSize(keyLen) + keyLen + 1 + varintSize(anySize) + anySize);
    this.string(1, key);
    this.tag(2, WIRE_LEN);
    this.varint(anySize);
    if (typeof value === 'string') this.string(1, value);
    else if (typeof value === 'boolean') this.uint(2, value ? 1 : 0);
    else if (typeof value === 'number') this.double(4, value);
    else if (value.int >= 0) this.uint(3, value.int);
    else this.double(4, value.int);
  }

  /** A copy of what was written. */
  finish(): Buffer {
    return Buffer.from(this.#buf.subarray(0, this.#pos));
  }
}

/** One writer for every span this worker encodes (encoding is synchronous). */
const spanWriter = new Writer(2048);

export function encodeSpan(s: SpanData): Buffer {
  const w = spanWriter;
  w.reset();
  w.hex(1, s.traceId);
  w.hex(2, s.spanId);
  if (s.traceState !== '') w.string(3, s.traceState);
  w.hex(4, s.parentSpanId);
  w.string(5, s.name);
  w.uint(6, s.kind);
  w.fixed64(7, s.startNs);
  w.fixed64(8, s.endNs);
  for (const [k, v] of s.attributes) w.keyValue(9, k, v);
  if (s.status !== StatusCode.UNSET) {
    // Status { code = 3 }: two bytes.
    w.tag(15, WIRE_LEN);
    w.varint(2);
    w.uint(3, s.status);
  }
  return w.finish();
}

/** The Resource message for these attributes (encoded once per plugin instance). */
export function encodeResource(attributes: readonly (readonly [string, string])[]): Buffer {
  const w = new Writer();
  for (const [k, v] of attributes) w.keyValue(1, k, v);
  return w.finish();
}

/** Kong's instrumentation scope. */
const SCOPE = (() => {
  const w = new Writer();
  w.string(1, 'kong-internal');
  w.string(2, '0.1.0');
  return w.finish();
})();

/** ExportTraceServiceRequest: encoded spans under one resource and Kong's scope. */
export function encodeExport(resource: Buffer, spans: readonly Uint8Array[]): Buffer {
  const scopeSpans = new Writer();
  scopeSpans.bytes(1, SCOPE);
  for (const span of spans) scopeSpans.bytes(2, span);
  const resourceSpans = new Writer();
  resourceSpans.bytes(1, resource);
  resourceSpans.bytes(2, scopeSpans.finish());
  const request = new Writer();
  request.bytes(1, resourceSpans.finish());
  return request.finish();
}
