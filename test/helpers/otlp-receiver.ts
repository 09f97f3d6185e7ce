/**
 * A local OTLP/HTTP traces receiver for the opentelemetry suite: a node:http server that
 * decodes each ExportTraceServiceRequest it gets (protobuf, decoded here by field number
 * with a reader written for the test, independent of the gateway's encoder).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, string | number | boolean>;
  status: number;
}

export interface DecodedExport {
  resource: Record<string, string | number | boolean>;
  scope: { name: string; version: string };
  spans: DecodedSpan[];
}

type Field = { field: number; wire: number; value: bigint | Buffer };

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1) {
      out.push({ field, wire, value: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      out.push({ field, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 5) {
      out.push({ field, wire, value: buf.subarray(pos, pos + 4) });
      pos += 4;
    } else throw new Error(`unknown wire type ${wire}`);
  }
  return out;
}

const bytes = (f: Field): Buffer => f.value as Buffer;

function anyValue(buf: Buffer): string | number | boolean {
  const [f] = fields(buf);
  if (f === undefined) return '';
  if (f.field === 1) return bytes(f).toString('utf8');
  if (f.field === 2) return f.value === 1n;
  if (f.field === 3) return Number(f.value as bigint);
  if (f.field === 4) return bytes(f).readDoubleLE(0);
  throw new Error(`unsupported AnyValue field ${f.field}`);
}

function attributes(list: Field[], field: number): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const f of list.filter((x) => x.field === field)) {
    const kv = fields(bytes(f));
    const key = bytes(kv.find((x) => x.field === 1) as Field).toString('utf8');
    const value = kv.find((x) => x.field === 2);
    out[key] = value === undefined ? '' : anyValue(bytes(value));
  }
  return out;
}

function span(buf: Buffer): DecodedSpan {
  const f = fields(buf);
  const hex = (n: number): string => {
    const x = f.find((y) => y.field === n);
    return x === undefined ? '' : bytes(x).toString('hex');
  };
  const str = (n: number): string => {
    const x = f.find((y) => y.field === n);
    return x === undefined ? '' : bytes(x).toString('utf8');
  };
  const status = f.find((x) => x.field === 15);
  const code = status === undefined ? undefined : fields(bytes(status)).find((x) => x.field === 3);
  return {
    traceId: hex(1),
    spanId: hex(2),
    traceState: str(3),
    parentSpanId: hex(4),
    name: str(5),
    kind: Number((f.find((x) => x.field === 6)?.value as bigint | undefined) ?? 0n),
    startNs: bytes(f.find((x) => x.field === 7) as Field).readBigUInt64LE(0),
    endNs: bytes(f.find((x) => x.field === 8) as Field).readBigUInt64LE(0),
    attributes: attributes(f, 9),
    status: code === undefined ? 0 : Number(code.value as bigint),
  };
}

export function decodeExport(body: Buffer): DecodedExport {
  const resourceSpans = fields(body).filter((f) => f.field === 1);
  if (resourceSpans.length !== 1) throw new Error(`expected one ResourceSpans, got ${resourceSpans.length}`);
  const rs = fields(bytes(resourceSpans[0] as Field));
  const resource = attributes(fields(bytes(rs.find((f) => f.field === 1) as Field)), 1);
  const scopeSpans = fields(bytes(rs.find((f) => f.field === 2) as Field));
  const scope = fields(bytes(scopeSpans.find((f) => f.field === 1) as Field));
  return {
    resource,
    scope: { name: bytes(scope.find((f) => f.field === 1) as Field).toString('utf8'), version: bytes(scope.find((f) => f.field === 2) as Field).toString('utf8') },
    spans: scopeSpans.filter((f) => f.field === 2).map((f) => span(bytes(f))),
  };
}

export interface OtlpReceiver {
  readonly url: string;
  readonly exports: { headers: Record<string, string | string[] | undefined>; path: string; decoded: DecodedExport }[];
  /** Every span received so far. */
  spans(): DecodedSpan[];
  status: number;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const exports: OtlpReceiver['exports'] = [];
  const state = { status: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.status === 200) exports.push({ headers: req.headers, path: req.url ?? '', decoded: decodeExport(Buffer.concat(chunks)) });
      res.writeHead(state.status, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    spans: () => exports.flatMap((e) => e.decoded.spans),
    get status() {
      return state.status;
    },
    set status(v: number) {
      state.status = v;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
