/** udp-log, compile side (Kong priority 8). */
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import { refuseLuaFields } from '../log-config.js';
import { udpLogSchema } from './schema.js';

interface UdpLogConfig {
  host: string;
  port: number;
  timeout: number;
  custom_fields_by_lua: Record<string, string> | null;
}

export interface CompiledUdpLog {
  host: string;
  port: number;
}

export const definition: PluginDefinition<UdpLogConfig, CompiledUdpLog> = {
  name: 'udp-log',
  version: '3.9.0',
  priority: 8,
  schema: udpLogSchema(),
  scopes: ALL_SCOPES,
  compile(c, ctx) {
    refuseLuaFields(c.custom_fields_by_lua, ctx);
    return { host: c.host, port: c.port };
  },
};
