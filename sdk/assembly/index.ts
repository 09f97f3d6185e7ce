// The Gatehouse proxy-wasm SDK for AssemblyScript: the only import path for plugin authors.
// A plugin's entry also re-exports the ABI callbacks: export * from "<sdk>/assembly/exports";
export { RootContext, HttpContext } from "./context";
export { registerRoot } from "./registry";
export { Action, BufferType, LogLevel, MapType, MetricType, Status, StreamType } from "./types";
export { HeaderMap, requestHeaders, requestTrailers, responseHeaders, responseTrailers, httpCallResponseHeaders } from "./headers";
export { HeaderPair } from "./pairs";
export {
  getBuffer, setBuffer, requestBody, responseBody, requestBodyText, responseBodyText, setRequestBody, setResponseBody,
} from "./body";
export { sendLocalResponse, sendJsonError } from "./response";
export { CAS_ABSENT, SharedValue, getSharedData, setSharedData, setSharedString, incrementShared } from "./shared";
export { Counter, Gauge, Histogram } from "./metrics";
export { log, logTrace, logDebug, logInfo, logWarn, logError, logCritical, logLevel } from "./log";
export { getProperty, getPropertyString, getPropertyInt, setProperty } from "./properties";
export { JsonKind, JsonValue, parseJson, pluginConfig, pluginConfigText, pluginConfigJson, vmConfigText } from "./config";
export { httpCall, httpCallResponseBody } from "./http-call";
