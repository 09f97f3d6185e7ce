/** cors's config (Kong 3.x fields and defaults). */
import { bool, list, number, record, text, type Schema } from '../../lib/schema-kit.js';

export const CORS_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'] as const;

export function corsSchema(): Schema {
  return record('cors: answer CORS preflight requests at the gateway and add CORS headers to responses.', {
    origins: list('Allowed origins: `*`, exact origins (`https://app.example.com`), or regexes (`.*\\.example\\.com`, matched against the host when they contain no `:`). Empty: any origin.', text('An origin or a regex.'), { default: [] }),
    headers: list('Value of Access-Control-Allow-Headers; empty: the request\'s Access-Control-Request-Headers.', text('A header name.'), { default: [] }),
    exposed_headers: list('Value of Access-Control-Expose-Headers.', text('A header name.'), { default: [] }),
    methods: list('Value of Access-Control-Allow-Methods.', { type: 'string', enum: [...CORS_METHODS], description: 'An HTTP method.' }, { default: [...CORS_METHODS] }),
    max_age: { ...number('Seconds a preflight result may be cached (Access-Control-Max-Age).'), type: ['number', 'null'], default: null },
    credentials: bool('Send Access-Control-Allow-Credentials: true.', false),
    private_network: bool('Answer Access-Control-Request-Private-Network preflights with Access-Control-Allow-Private-Network: true.', false),
    preflight_continue: bool('Proxy preflight requests to the upstream instead of answering them.', false),
    allow_origin_absent: bool('Add the CORS headers also to responses of requests without an Origin header.', true),
  });
}
