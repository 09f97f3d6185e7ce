import { proxy_get_log_level, proxy_log } from "./imports";
import { RET_EXTRA } from "./alloc";
import { LogLevel } from "./types";

export function log(level: LogLevel, message: string): void {
  const bytes = String.UTF8.encode(message);
  proxy_log(<u32>level, changetype<usize>(bytes), <usize>bytes.byteLength);
}

export function logTrace(message: string): void { log(LogLevel.Trace, message); }
export function logDebug(message: string): void { log(LogLevel.Debug, message); }
export function logInfo(message: string): void { log(LogLevel.Info, message); }
export function logWarn(message: string): void { log(LogLevel.Warn, message); }
export function logError(message: string): void { log(LogLevel.Error, message); }
export function logCritical(message: string): void { log(LogLevel.Critical, message); }

/** The host's current log level (messages below it are dropped by the host). */
export function logLevel(): LogLevel {
  proxy_get_log_level(RET_EXTRA);
  return <LogLevel>load<u32>(RET_EXTRA);
}
