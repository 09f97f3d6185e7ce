/** tcp-log, compile side (Kong priority 7). */
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import { refuseLuaFields } from '../log-config.js';
import type { TcpSinkOptions } from '../../observe/socket-sinks.js';
import { tcpLogSchema } from './schema.js';

interface TcpLogConfig {
  host: string;
  port: number;
  timeout: number;
  keepalive: number;
  tls: boolean;
  tls_sni: string | null;
  custom_fields_by_lua: Record<string, string> | null;
}

export type CompiledTcpLog = TcpSinkOptions;

export const definition: PluginDefinition<TcpLogConfig, CompiledTcpLog> = {
  name: 'tcp-log',
  version: '3.9.0',
  priority: 7,
  schema: tcpLogSchema(),
  scopes: ALL_SCOPES,
  compile(c, ctx) {
    refuseLuaFields(c.custom_fields_by_lua, ctx);
    return { host: c.host, port: c.port, timeoutMs: c.timeout, keepaliveMs: c.keepalive, tls: c.tls, sni: c.tls_sni };
  },
};
