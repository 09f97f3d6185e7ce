/** udp-log's config (Kong 3.x fields and defaults, kong/plugins/udp-log/schema.lua). */
import { HOST_PATTERN } from '../../config/schema/typedefs.js';
import { integer, number, record, text, type Schema } from '../../lib/schema-kit.js';
import { luaFieldsSchema } from '../log-config.js';

export function udpLogSchema(): Schema {
  return record(
    'udp-log: sends each request\'s log entry (Kong\'s log serializer object, JSON) as one UDP datagram.',
    {
      host: text('The IP address or host name to send data to.', { pattern: HOST_PATTERN }),
      port: integer('The port to send data to.', 0, 65535),
      timeout: number('Timeout in milliseconds (Kong\'s socket timeout; a datagram send does not wait for the server).', { minimum: 0, default: 10000 }),
      custom_fields_by_lua: luaFieldsSchema(),
    },
    ['host', 'port'],
  );
}
