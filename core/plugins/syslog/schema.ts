/** syslog's config (Kong 3.x fields and defaults, kong/plugins/syslog/schema.lua). */
import { oneOf, record, type Schema } from '../../lib/schema-kit.js';
import { luaFieldsSchema } from '../log-config.js';

export const SEVERITIES = ['debug', 'info', 'notice', 'warning', 'err', 'crit', 'alert', 'emerg'] as const;
export const FACILITIES = ['auth', 'authpriv', 'cron', 'daemon', 'ftp', 'kern', 'lpr', 'mail', 'news', 'syslog', 'user', 'uucp', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const;

function severity(description: string): Schema {
  return oneOf(description, SEVERITIES, 'info');
}

export function syslogSchema(): Schema {
  return record('syslog: sends each request\'s log entry (Kong\'s log serializer object, JSON) to the local syslog socket (/dev/log).', {
    log_level: severity('Least severe level sent: entries whose severity is less severe than this are not sent.'),
    successful_severity: severity('Severity of entries for responses below 400.'),
    client_errors_severity: severity('Severity of entries for 4xx responses.'),
    server_errors_severity: severity('Severity of entries for 5xx responses.'),
    custom_fields_by_lua: luaFieldsSchema(),
    facility: oneOf('The syslog facility of the entries.', FACILITIES, 'user'),
  });
}
