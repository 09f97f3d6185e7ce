/** correlation-id's config (Kong 3.x fields and defaults). */
import { bool, headerName, oneOf, record, type Schema } from '../../lib/schema-kit.js';

export const GENERATORS = ['uuid', 'uuid#counter', 'tracker'] as const;
export type Generator = (typeof GENERATORS)[number];

export function correlationIdSchema(): Schema {
  return record('correlation-id: give every request an id in a header, sent upstream, optionally echoed to the client, and logged.', {
    header_name: headerName('The header carrying the id.', { default: 'Kong-Request-ID' }),
    generator: oneOf(
      'How an id is made when the request has none: `uuid` (a random UUID), `uuid#counter` (a UUID per worker and a counter: `<uuid>#<n>`), `tracker` (`<address>-<port>-<pid>-<worker>-<n>-<seconds.millis>`).',
      GENERATORS,
      'uuid#counter',
    ),
    echo_downstream: bool('Send the id back to the client in the response, under the same header.', false),
  });
}
