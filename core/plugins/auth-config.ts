/**
 * What Kong's auth plugins share on the compile side: the `anonymous` consumer (an id or
 * username, resolved to its index once here), the `realm` of the WWW-Authenticate
 * challenge, `hide_credentials` with one wording for all of them, and the walk over the
 * consumers' credentials their `shared` tables are built from.
 */
import type { NormalizedConfig, NormalizedConsumer } from '../config/types.js';
import type { PluginCompileContext } from './definition.js';
import { bool, optionalText, type Schema } from '../lib/schema-kit.js';

export function anonymousField(): Schema {
  return optionalText(
    'Id or username of the consumer to use when authentication fails (X-Anonymous-Consumer: true upstream); null answers 401 instead. ' +
      'Several auth plugins with `anonymous` on one route act as a logical OR.',
  );
}

export function hideCredentialsField(what: string): Schema {
  return bool(`Remove ${what} from the request before it is proxied.`, false);
}

export function realmField(scheme: string, def: string | null = null): Schema {
  const description = `Realm of the WWW-Authenticate challenge sent with a 401 (\`${scheme} realm="<realm>"\`${def === null ? `; just \`${scheme}\` when null` : ''}).`;
  return def === null ? optionalText(description) : { type: 'string', description, default: def };
}

/** Index of the `anonymous` consumer, -1 when unset; an unknown consumer is a config error. */
export function anonymousIndex(value: string | null, ctx: PluginCompileContext): number {
  if (value === null || value === '') return -1;
  const index = ctx.consumerIndex(value);
  if (index < 0) ctx.error('anonymous', `no consumer with id or username "${value}"`);
  return index;
}

/** The WWW-Authenticate value: `<scheme> realm="<realm>"`, or the bare scheme without a realm. */
export function challenge(scheme: string, realm: string | null): string {
  return realm === null ? scheme : `${scheme} realm="${realm}"`;
}

type CredentialField = 'keyauth_credentials' | 'basicauth_credentials' | 'hmacauth_credentials' | 'jwt_secrets';
type CredentialOf<K extends CredentialField> = NonNullable<NormalizedConsumer[K]>[number];

/** Every credential of one kind, in config order, as `row` makes it (`index`: its consumer's). */
export function credentialRows<K extends CredentialField, R>(
  config: NormalizedConfig,
  kind: K,
  row: (credential: CredentialOf<K>, consumer: NormalizedConsumer, index: number) => R,
): R[] {
  const rows: R[] = [];
  config.consumers.forEach((consumer, index) => {
    for (const credential of (consumer[kind] ?? []) as CredentialOf<K>[]) rows.push(row(credential, consumer, index));
  });
  return rows;
}
