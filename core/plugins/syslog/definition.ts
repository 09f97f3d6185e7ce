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
  syslog_facility: Facility;
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
  KERN: 0, USER: 1, MAIL: 2, DAEMON: 3, AUTH: 4, SYSLOG: 5, LPR: 6, NEWS: 7, UUCP: 8, CRON: 9, AUTHPRIV: 10, FTP: 11,
  LOCAL0: 16, LOCAL1: 17, LOCAL2: 18, LOCAL3: 19, LOCAL4: 20, LOCAL5: 21, LOCAL6: 22, LOCAL7: 23,
};

export const definition: PluginDefinition<SyslogConfig, CompiledSyslog> = {
  name: 'syslog',
  version: '3.9.0',
  priority: 4,
  schema: syslogSchema(),
  scopes: ALL_SCOPES,
  compile(c, ctx) {
    refuseLuaFields(c.custom_fields_by_lua, ctx);
    const facility = FACILITY_CODES[c.syslog_facility] * 8;
    // Kong: sent when LOG_LEVELS[severity] <= LOG_LEVELS[log_level].
    const pri = (s: Severity): number => (LEVELS[s] <= LEVELS[c.log_level] ? facility + LEVELS[s] : -1);
    return { successful: pri(c.successful_severity), clientErrors: pri(c.client_errors_severity), serverErrors: pri(c.server_errors_severity) };
  },
};
