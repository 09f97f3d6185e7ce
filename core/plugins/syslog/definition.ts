/**
 * syslog, compile side (Kong priority 4): the syslog priority (facility * 8 + severity)
 * of each response class, or -1 when log_level filters that class out.
 */
import { ALL_SCOPES, type PluginDefinition } from '../definition.js';
import { refuseLuaFields } from '../log-config.js';
import { FACILITIES, SEVERITIES, syslogSchema } from './schema.js';

type Severity = (typeof SEVERITIES)[number];
type Facility = (typeof FACILITIES)[number];

interface SyslogConfig {
  log_level: Severity;
  successful_severity: Severity;
  client_errors_severity: Severity;
  server_errors_severity: Severity;
  custom_fields_by_lua: Record<string, string> | null;
  facility: Facility;
}

export interface CompiledSyslog {
  /** Priorities for < 400, 4xx and 5xx responses; -1: not sent. */
  successful: number;
  clientErrors: number;
  serverErrors: number;
}

/** syslog(3) levels: emerg 0 … debug 7. */
const LEVELS: Readonly<Record<Severity, number>> = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 };
/** syslog(3) facility codes (LOG_<NAME> >> 3). */
const FACILITY_CODES: Readonly<Record<Facility, number>> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

export const definition: PluginDefinition<SyslogConfig, CompiledSyslog> = {
  name: 'syslog',
  version: '3.9.0',
  priority: 4,
  schema: syslogSchema(),
  scopes: ALL_SCOPES,
  compile(c, ctx) {
    refuseLuaFields(c.custom_fields_by_lua, ctx);
    const facility = FACILITY_CODES[c.facility] * 8;
    // Kong: sent when LOG_LEVELS[severity] <= LOG_LEVELS[log_level].
    const pri = (s: Severity): number => (LEVELS[s] <= LEVELS[c.log_level] ? facility + LEVELS[s] : -1);
    return { successful: pri(c.successful_severity), clientErrors: pri(c.client_errors_severity), serverErrors: pri(c.server_errors_severity) };
  },
};
