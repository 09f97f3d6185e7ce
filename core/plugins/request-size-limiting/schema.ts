/** request-size-limiting's config (Kong 3.x fields and defaults). */
import { bool, oneOf, record, type Schema } from '../../lib/schema-kit.js';

export const SIZE_UNITS = ['megabytes', 'kilobytes', 'bytes'] as const;
export type SizeUnit = (typeof SIZE_UNITS)[number];

export function requestSizeLimitingSchema(): Schema {
  return record('request-size-limiting: refuse request bodies larger than a limit (413), before they reach the upstream.', {
    allowed_payload_size: { type: 'integer', default: 128, description: 'Largest body allowed, in `size_unit`s.' },
    size_unit: oneOf('Unit of `allowed_payload_size`: `megabytes` (2^20 bytes), `kilobytes` (2^10 bytes) or `bytes`.', SIZE_UNITS, 'megabytes'),
    require_content_length: bool('Refuse (411) a request that has no valid Content-Length and is not chunked.', false),
  });
}
