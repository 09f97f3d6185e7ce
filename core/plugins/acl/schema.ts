/** acl's config (Kong 3.x fields and defaults). */
import { bool, list, record, text, type Schema } from '../../lib/schema-kit.js';

export function aclSchema(): Schema {
  const groups = (description: string): Schema => ({ ...list(description, text('A group name.')), type: ['array', 'null'], default: null });
  return record('acl: allow or deny consumers by the groups they belong to (their `acls`); runs after the auth plugins.', {
    allow: groups('Groups allowed to consume the route; any other consumer gets 403. Exactly one of allow and deny.'),
    deny: groups('Groups refused with 403; any other consumer passes. Exactly one of allow and deny.'),
    hide_groups_header: bool('Do not send the consumer\'s groups upstream in X-Consumer-Groups.', false),
    include_consumer_groups: bool('Also match Kong Enterprise consumer groups (not available in Gatehouse: must stay false).', false),
    always_use_authenticated_groups: bool('Check the groups an auth plugin found (authenticated groups) even when a credential identified a consumer.', false),
  });
}
