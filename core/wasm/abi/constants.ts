/**
 * proxy-wasm ABI v0.2.1 enumerations, derived from one table so the host and the SDK
 * (`sdk/assembly/types.ts`, checked against this table by test/unit/wasm/constants.test.ts)
 * never disagree. Values are the spec's (proxy-wasm/spec abi-versions/v0.2.1).
 */

export const ABI_TABLE = {
  /** Result of every hostcall (the spec's `proxy_result_t`, Envoy's WasmResult). */
  Status: {
    Ok: 0,
    NotFound: 1,
    BadArgument: 2,
    SerializationFailure: 3,
    ParseFailure: 4,
    BadExpression: 5,
    InvalidMemoryAccess: 6,
    Empty: 7,
    CasMismatch: 8,
    ResultMismatch: 9,
    InternalFailure: 10,
    BrokenConnection: 11,
    Unimplemented: 12,
  },
  /** What a stream callback asks the host to do next. */
  Action: {
    Continue: 0,
    Pause: 1,
  },
  BufferType: {
    HttpRequestBody: 0,
    HttpResponseBody: 1,
    DownstreamData: 2,
    UpstreamData: 3,
    HttpCallResponseBody: 4,
    GrpcReceiveBuffer: 5,
    VmConfiguration: 6,
    PluginConfiguration: 7,
    CallData: 8,
  },
  MapType: {
    HttpRequestHeaders: 0,
    HttpRequestTrailers: 1,
    HttpResponseHeaders: 2,
    HttpResponseTrailers: 3,
    GrpcReceiveInitialMetadata: 4,
    GrpcReceiveTrailingMetadata: 5,
    HttpCallResponseHeaders: 6,
    HttpCallResponseTrailers: 7,
  },
  LogLevel: {
    Trace: 0,
    Debug: 1,
    Info: 2,
    Warn: 3,
    Error: 4,
    Critical: 5,
  },
  StreamType: {
    HttpRequest: 0,
    HttpResponse: 1,
    Downstream: 2,
    Upstream: 3,
  },
  MetricType: {
    Counter: 0,
    Gauge: 1,
    Histogram: 2,
  },
} as const;

export const Status = ABI_TABLE.Status;
export type Status = (typeof Status)[keyof typeof Status];
export const Action = ABI_TABLE.Action;
export type Action = (typeof Action)[keyof typeof Action];
export const BufferType = ABI_TABLE.BufferType;
export type BufferType = (typeof BufferType)[keyof typeof BufferType];
export const MapType = ABI_TABLE.MapType;
export type MapType = (typeof MapType)[keyof typeof MapType];
export const LogLevel = ABI_TABLE.LogLevel;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];
export const StreamType = ABI_TABLE.StreamType;
export type StreamType = (typeof StreamType)[keyof typeof StreamType];
export const MetricType = ABI_TABLE.MetricType;
export type MetricType = (typeof MetricType)[keyof typeof MetricType];

/** Level names indexed by value, for log records. */
export const LOG_LEVEL_NAMES = ['trace', 'debug', 'info', 'warn', 'error', 'critical'] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

/** ABI version markers a module may export; the first found wins. */
export const ABI_VERSION_EXPORTS = {
  proxy_abi_version_0_2_1: '0.2.1',
  proxy_abi_version_0_2_0: '0.2.0',
} as const;
export type AbiVersion = (typeof ABI_VERSION_EXPORTS)[keyof typeof ABI_VERSION_EXPORTS];
