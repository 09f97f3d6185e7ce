/** file-log, compile side (Kong priority 9). */
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import { refuseLuaFields } from '../log-config.js';
import { fileLogSchema } from './schema.js';

interface FileLogConfig {
  path: string;
  reopen: boolean;
  custom_fields_by_lua: Record<string, string> | null;
}

export interface CompiledFileLog {
  path: string;
  reopen: boolean;
}

/** Kong's `match = [[^[^*&%%\`]+$]]` on the path. */
const VALID_FILENAME = /^[^*&%`]+$/;

export const definition: PluginDefinition<FileLogConfig, CompiledFileLog> = {
  name: 'file-log',
  version: '3.9.0',
  priority: 9,
  schema: fileLogSchema(),
  scopes: ALL_SCOPES,
  compile(c, ctx) {
    refuseLuaFields(c.custom_fields_by_lua, ctx);
    if (!VALID_FILENAME.test(c.path)) ctx.error('path', 'not a valid filename');
    return { path: c.path, reopen: c.reopen };
  },
};
