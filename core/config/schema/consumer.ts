/**
 * Kong's Consumer entity and the credential entities of its auth plugins (key-auth,
 * basic-auth, hmac-auth, jwt) and ACL groups, with Kong's collection and field names
 * (kong/plugins/<name>/daos.lua). Kong's declarative format allows each credential
 * nested under its consumer or in a top-level collection whose items name the consumer
 * (`consumer: <id or username>`); `credentialSchemas(true)` adds that reference.
 */
import { arrayOf, entity, reference, tags, text, uuid } from './typedefs.js';

type Schema = Record<string, unknown>;

export const JWT_ALGORITHMS = [
  'HS256', 'HS384', 'HS512',
  'RS256', 'RS384', 'RS512',
  'ES256', 'ES384', 'ES512',
  'PS256', 'PS384', 'PS512',
  'EdDSA',
] as const;

export const JWT_DEFAULTS = { algorithm: 'HS256' } as const;

/** The credential collections, in the order they are normalized. */
export const CREDENTIAL_KINDS = ['keyauth_credentials', 'basicauth_credentials', 'hmacauth_credentials', 'jwt_secrets', 'acls'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

function credential(description: string, properties: Record<string, Schema>, required: string[], topLevel: boolean): Schema {
  const consumer: Record<string, Schema> = topLevel ? { consumer: reference('consumer', 'username') } : {};
  return entity(description, { ...properties, ...consumer, tags: tags() }, topLevel ? [...required, 'consumer'] : required);
}

/** One schema per credential collection; `topLevel` items carry their `consumer`. */
export function credentialSchemas(topLevel: boolean): Record<CredentialKind, Schema> {
  return {
    keyauth_credentials: credential('A key-auth credential.', {
      id: uuid('Credential id; derived from the key when omitted.'),
      key: text('The API key; unique across consumers.'),
      ttl: { type: ['integer', 'null'], minimum: 0, maximum: 100_000_000, description: 'Seconds until the key expires; null never.' },
    }, ['key'], topLevel),
    basicauth_credentials: credential('A basic-auth credential.', {
      id: uuid('Credential id; derived from the username when omitted.'),
      username: text('Username; unique across consumers.'),
      password: text('Password (plain text in the file; hashed by the basic-auth plugin).'),
    }, ['username', 'password'], topLevel),
    hmacauth_credentials: credential('An hmac-auth credential.', {
      id: uuid('Credential id; derived from the username when omitted.'),
      username: text('Username sent in the Authorization header; unique across consumers.'),
      // Kong generates a random secret when none is given; a declarative file must carry
      // the secret its clients sign with, so it is required here.
      secret: text('Shared HMAC secret.'),
    }, ['username', 'secret'], topLevel),
    jwt_secrets: credential('A JWT credential.', {
      id: uuid('Credential id; derived from the key when omitted.'),
      key: text('Value matched against the `iss` claim (or the configured key claim); unique.'),
      algorithm: { type: 'string', enum: [...JWT_ALGORITHMS], default: JWT_DEFAULTS.algorithm, description: 'Signing algorithm. Default HS256.' },
      secret: text('HMAC secret (required for HS* algorithms).'),
      rsa_public_key: text('PEM public key (required for RS*, ES*, PS* and EdDSA).'),
    }, ['key'], topLevel),
    acls: credential('Membership of an ACL group.', {
      id: uuid('ACL id; derived from consumer and group when omitted.'),
      group: text('Group name used by the acl plugin allow/deny lists.'),
    }, ['group'], topLevel),
  };
}

const NESTED_DESCRIPTIONS: Record<CredentialKind, string> = {
  keyauth_credentials: 'Key-auth keys of this consumer.',
  basicauth_credentials: 'Basic-auth credentials of this consumer.',
  hmacauth_credentials: 'Hmac-auth credentials of this consumer.',
  jwt_secrets: 'JWT credentials of this consumer.',
  acls: 'ACL groups of this consumer.',
};

const TOP_LEVEL_DESCRIPTIONS: Record<CredentialKind, string> = {
  keyauth_credentials: 'Key-auth keys; each names its consumer.',
  basicauth_credentials: 'Basic-auth credentials; each names its consumer.',
  hmacauth_credentials: 'Hmac-auth credentials; each names its consumer.',
  jwt_secrets: 'JWT credentials; each names its consumer.',
  acls: 'ACL group memberships; each names its consumer.',
};

/** The credential collections as arrays, nested under a consumer or at the top level. */
export function credentialCollections(topLevel: boolean): Record<CredentialKind, Schema> {
  const schemas = credentialSchemas(topLevel);
  const descriptions = topLevel ? TOP_LEVEL_DESCRIPTIONS : NESTED_DESCRIPTIONS;
  const out = {} as Record<CredentialKind, Schema>;
  for (const kind of CREDENTIAL_KINDS) out[kind] = arrayOf(descriptions[kind], schemas[kind]);
  return out;
}

export function consumerSchema(nested: Record<string, Schema>): Schema {
  return entity('A Consumer: an identified client of the gateway.', {
    id: uuid('Consumer id; derived from username (or custom_id) when omitted.'),
    username: text('Unique username. At least one of username and custom_id is required.'),
    custom_id: text('Unique id from another system.'),
    ...credentialCollections(false),
    tags: tags(),
    ...nested,
  });
}
