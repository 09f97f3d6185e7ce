/**
 * The public API of the gateway core, for tools/, bench/ and tests. Everything else in
 * core/ is internal and may change without notice.
 */
export { Supervisor, ConfigRejectedError, type SupervisorOptions } from './supervisor/main.js';
export { startAdminServer } from './admin/server.js';
export { loadConfig, parseConfigText, readConfigText } from './config/load.js';
export { validateConfig } from './config/validate.js';
export { resolveSettings, type Settings } from './config/settings.js';
export { compile, configHash } from './compile/index.js';
export { createLogger } from './observe/log.js';
export { loadUws, type UwsModule } from './lib/uws.js';
export { ERRORS, ErrorCode, GatehouseError } from './lib/errors.js';
export type { NormalizedConfig, ConfigError, ConfigResult } from './config/types.js';
export type { CompiledConfig } from './compile/types.js';
