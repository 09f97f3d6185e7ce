/** bot-detection's config (Kong 3.x fields and defaults). */
import { list, record, text, type Schema } from '../../lib/schema-kit.js';

export function botDetectionSchema(): Schema {
  const pattern = text('A regex, matched anywhere in the User-Agent.');
  return record('bot-detection: refuse requests from bots, by User-Agent: Kong\'s bundled list of known bots plus your own patterns.', {
    // Kong's fields default to [] but accept null (deck dumps show `allow: null`).
    allow: list('User-Agent regexes let through even when they match the bundled bot list (checked first).', pattern, { type: ['array', 'null'], default: [] }),
    deny: list('User-Agent regexes refused besides the bundled bot list.', pattern, { type: ['array', 'null'], default: [] }),
  });
}
