/**
 * correlation-id, compile side (Kong 3.x priority 100001: before every other plugin, so
 * their logs and answers can carry the id). The header name is lower-cased once.
 */
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import { correlationIdSchema, type Generator } from './schema.js';

interface CorrelationIdConfig {
  header_name: string;
  generator: Generator;
  echo_downstream: boolean;
}

export interface CompiledCorrelationId {
  /** Lower-case header name. */
  header: string;
  generator: Generator;
  echo: boolean;
}

export const definition: PluginDefinition<CorrelationIdConfig, CompiledCorrelationId> = {
  name: 'correlation-id',
  version: '3.9.0',
  priority: 100001,
  schema: correlationIdSchema(),
  scopes: ALL_SCOPES,
  compile(c) {
    return { header: c.header_name.toLowerCase(), generator: c.generator, echo: c.echo_downstream };
  },
};
