/** ip-restriction's config (Kong 3.x fields; `status` and `message` unset by default). */
import { list, number, optionalText, record, text, type Schema } from '../../lib/schema-kit.js';

export function ipRestrictionSchema(): Schema {
  const entry = text('An IP address or CIDR range, IPv4 or IPv6 (`192.168.1.1`, `10.0.0.0/8`, `2001:db8::/32`).');
  return record('ip-restriction: allow or deny requests by the client\'s IP address.', {
    allow: { ...list('Addresses and ranges allowed; every other client is refused (when set and not empty).', entry), type: ['array', 'null'], default: null },
    deny: { ...list('Addresses and ranges refused (checked before `allow`).', entry), type: ['array', 'null'], default: null },
    status: { ...number('Status of the refusal (Kong: 403 when unset).'), type: ['number', 'null'], default: null },
    message: optionalText('Message of the refusal\'s JSON body (Kong: `IP address not allowed: <client address>` when unset).'),
  });
}
