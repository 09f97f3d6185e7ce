/** redirect's config (Kong 3.9 fields and defaults). */
import { bool, integer, record, text, type Schema } from '../../lib/schema-kit.js';

export function redirectSchema(): Schema {
  return record(
    'redirect: answer every request with a redirect to another URL; nothing reaches the upstream.',
    {
      status_code: integer('Status of the redirect (an integer between 100 and 599).', 100, 599, 301),
      location: text('The URL to redirect to: a scheme and a host at least (`https://example.com`, `someapp://path`).'),
      keep_incoming_path: bool('Send the request\'s own path and query string with the host of `location` (its path and query are replaced).', false),
    },
    ['location'],
  );
}
