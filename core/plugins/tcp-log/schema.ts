/** tcp-log's config (Kong 3.x fields and defaults, kong/plugins/tcp-log/schema.lua). */
import { HOST_PATTERN } from '../../config/schema/typedefs.js';
import { bool, integer, number, optionalText, record, text, type Schema } from '../../lib/schema-kit.js';
import { luaFieldsSchema } from '../log-config.js';

export function tcpLogSchema(): Schema {
  return record(
    'tcp-log: sends each request\'s log entry (Kong\'s log serializer object) as one JSON line over a TCP (or TLS) connection.',
    {
      host: text('The IP address or host name to send data to.', { pattern: HOST_PATTERN }),
      port: integer('The port to send data to.', 0, 65535),
      timeout: number('Timeout in milliseconds for connecting, and for the server to read what was sent.', { minimum: 0, default: 10000 }),
      keepalive: number('Milliseconds an idle connection stays open before it is closed.', { minimum: 0, default: 60000 }),
      tls: bool('Perform a TLS handshake with the server (its certificate is not verified, as in Kong).', false),
      tls_sni: optionalText('The SNI host name to send in the TLS handshake.'),
      custom_fields_by_lua: luaFieldsSchema(),
    },
    ['host', 'port'],
  );
}
