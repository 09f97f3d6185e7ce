/**
 * Kong's Consumer entity with the credentials Kong's declarative format nests under it:
 * key-auth keys, basic-auth credentials, ACL groups and JWT secrets.
 */
import { arrayOf, record, tags, text, uuid } from './typedefs.js';

type Schema = Record<string, unknown>;

export const JWT_ALGORITHMS = [
  'HS256', 'HS384', 'HS512',
  'RS256', 'RS384', 'RS512',
  'ES256', 'ES384', 'ES512',
  'PS256', 'PS384', 'PS512',
  'EdDSA',
] as const;

export const JWT_DEFAULTS = { algorithm: 'HS256' } as const;

function keyauth(): Schema {
  return record('A key-auth credential.', {
    id: uuid('Credential id; derived from the key when omitted.'),
    key: text('The API key; unique across consumers.'),
    ttl: { type: ['integer', 'null'], minimum: 0, maximum: 100_000_000, description: 'Seconds until the key expires; null never.' },
    tags: tags(),
  }, ['key']);
}

function basicauth(): Schema {
  return record('A basic-auth credential.', {
    id: uuid('Credential id; derived from the username when omitted.'),
    username: text('Username; unique across consumers.'),
    password: text('Password (plain text in the file; hashed by the basic-auth plugin).'),
    tags: tags(),
  }, ['username', 'password']);
}

function acl(): Schema {
  return record('Membership of an ACL group.', {
    id: uuid('ACL id; derived from consumer and group when omitted.'),
    group: text('Group name used by the acl plugin allow/deny lists.'),
    tags: tags(),
  }, ['group']);
}

function jwt(): Schema {
  return record('A JWT credential.', {
    id: uuid('Credential id; derived from the key when omitted.'),
    key: text('Value matched against the `iss` claim (or the configured key claim); unique.'),
    algorithm: { type: 'string', enum: [...JWT_ALGORITHMS], default: JWT_DEFAULTS.algorithm, description: 'Signing algorithm. Default HS256.' },
    secret: text('HMAC secret (required for HS* algorithms).'),
    rsa_public_key: text('PEM public key (required for RS*, ES*, PS* and EdDSA).'),
    tags: tags(),
  }, ['key']);
}

export function consumerSchema(nested: Record<string, Schema>): Schema {
  return record('A Consumer: an identified client of the gateway.', {
    id: uuid('Consumer id; derived from username (or custom_id) when omitted.'),
    username: text('Unique username. At least one of username and custom_id is required.'),
    custom_id: text('Unique id from another system.'),
    keyauth_credentials: arrayOf('Key-auth keys of this consumer.', keyauth()),
    basicauth_credentials: arrayOf('Basic-auth credentials of this consumer.', basicauth()),
    acls: arrayOf('ACL groups of this consumer.', acl()),
    jwt_secrets: arrayOf('JWT credentials of this consumer.', jwt()),
    tags: tags(),
    ...nested,
  });
}

