/** syslog's config (Kong 3.x fields and defaults, kong/plugins/syslog/schema.lua). */
import { oneOf, record, type Schema } from '../../lib/schema-kit.js';
import { luaFieldsSchema } from '../log-config.js';

export const SEVERITIES = ['debug', 'info', 'notice', 'warning', 'err', 'crit', 'alert', 'emerg'] as const;
export const FACILITIES = ['AUTH', 'AUTHPRIV', 'CRON', 'DAEMON', 'FTP', 'KERN', 'LPR', 'MAIL', 'NEWS', 'SYSLOG', 'USER', 'UUCP', 'LOCAL0', 'LOCAL1', 'LOCAL2', 'LOCAL3', 'LOCAL4', 'LOCAL5', 'LOCAL6', 'LOCAL7'] as const;

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
    syslog_facility: oneOf('The syslog facility of the entries.', FACILITIES, 'USER'),
  });
}
