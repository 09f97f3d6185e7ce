/** file-log's config (Kong 3.x fields and defaults, kong/plugins/file-log/schema.lua). */
import { bool, record, text, type Schema } from '../../lib/schema-kit.js';
import { luaFieldsSchema } from '../log-config.js';

export function fileLogSchema(): Schema {
  return record(
    'file-log: appends each request\'s log entry (Kong\'s log serializer object) as one JSON line to a file.',
    {
      path: text('The file to append to; created (mode 0644) when it does not exist.', { minLength: 1 }),
      reopen: bool('Close and re-open the file around every batch of lines written (for log rotation that moves the file away).', false),
      custom_fields_by_lua: luaFieldsSchema(),
    },
    ['path'],
  );
}
