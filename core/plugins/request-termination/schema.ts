/** request-termination's config (Kong 3.x fields and defaults). */
import { bool, headerName, integer, optionalText, record, type Schema } from '../../lib/schema-kit.js';

export function requestTerminationSchema(): Schema {
  return record('request-termination: answer every request with a fixed response; nothing reaches the upstream.', {
    status_code: integer('Status of the response.', 100, 599, 503),
    message: optionalText('Message of the default JSON body `{"message": …}`; Kong\'s wording for the status when unset.'),
    content_type: optionalText('Content-Type of `body`.'),
    body: optionalText('Raw response body (instead of the JSON message).'),
    echo: bool('Answer with a JSON description of the request itself (for debugging).', false),
    trigger: { ...headerName('Only terminate requests carrying this header or query argument; others pass (with `echo`: only they are echoed).'), type: ['string', 'null'], default: null },
  });
}
