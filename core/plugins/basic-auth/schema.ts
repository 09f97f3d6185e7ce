/** basic-auth's config (Kong 3.x fields and defaults). */
import { anonymousField, hideCredentialsField, realmField } from '../auth-config.js';
import { record, type Schema } from '../../lib/schema-kit.js';

export function basicAuthSchema(): Schema {
  return record('basic-auth: identify the consumer by a username and password (HTTP Basic) in Proxy-Authorization or Authorization.', {
    anonymous: anonymousField(),
    hide_credentials: hideCredentialsField('the Authorization (and Proxy-Authorization) header'),
    realm: realmField('Basic', 'service'),
  });
}
