/**
 * request-size-limiting, compile side (Kong priority 951): the limit is turned into bytes
 * once (Kong's factors: a megabyte is 2^20 bytes, a kilobyte 2^10).
 */
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import { requestSizeLimitingSchema, type SizeUnit } from './schema.js';

interface RequestSizeLimitingConfig {
  allowed_payload_size: number;
  size_unit: SizeUnit;
  require_content_length: boolean;
}

export interface CompiledRequestSizeLimiting {
  /** Largest body allowed, bytes. */
  limit: number;
  requireContentLength: boolean;
}

const FACTOR: Readonly<Record<SizeUnit, number>> = { megabytes: 1048576, kilobytes: 1024, bytes: 1 };

export const definition: PluginDefinition<RequestSizeLimitingConfig, CompiledRequestSizeLimiting> = {
  name: 'request-size-limiting',
  version: '3.9.0',
  priority: 951,
  schema: requestSizeLimitingSchema(),
  scopes: ALL_SCOPES,
  compile(c) {
    return { limit: c.allowed_payload_size * FACTOR[c.size_unit], requireContentLength: c.require_content_length };
  },
};
