/**
 * Kong's certificates (with nested SNIs), top-level SNIs, and CA certificates. PEM
 * contents are checked with node:crypto in normalize.ts (parse, key match, CA flag).
 */
import { ROUTE_HOST_PATTERN, arrayOf, entity, tags, text, uuid } from './typedefs.js';

type Schema = Record<string, unknown>;

function sniName(description: string): Schema {
  return { type: 'string', pattern: ROUTE_HOST_PATTERN, description };
}

function nestedSni(): Schema {
  const object = entity('A server name served with this certificate: a string, or `{ name }`.', {
    id: uuid('SNI id; derived from the name when omitted.'),
    name: sniName('Server name, possibly with a leading or trailing wildcard.'),
    tags: tags(),
  }, ['name']);
  return { ...object, type: ['string', 'object'], pattern: ROUTE_HOST_PATTERN };
}

export function certificateSchema(): Schema {
  return entity('A TLS certificate and key served to clients.', {
    id: uuid('Certificate id; derived from the PEM when omitted.'),
    cert: text('PEM certificate (chain).'),
    key: text('PEM private key matching cert.'),
    cert_alt: text('Alternate PEM certificate (e.g. ECDSA next to RSA).'),
    key_alt: text('PEM private key matching cert_alt.'),
    snis: arrayOf('Server names this certificate answers.', nestedSni()),
    tags: tags(),
  }, ['cert', 'key']);
}

export function sniSchema(): Schema {
  return entity('A server name bound to a certificate.', {
    id: uuid('SNI id; derived from the name when omitted.'),
    name: sniName('Server name, possibly with a leading or trailing wildcard.'),
    certificate: {
      type: ['string', 'object'],
      minLength: 1,
      properties: { id: uuid('Id of the certificate.') },
      required: ['id'],
      additionalProperties: false,
      description: 'The certificate: its id, or `{ id }`.',
    },
    tags: tags(),
  }, ['name', 'certificate']);
}

export function caCertificateSchema(): Schema {
  return entity('A trusted CA certificate (for upstream TLS verification).', {
    id: uuid('CA certificate id; derived from the PEM when omitted.'),
    cert: text('PEM CA certificate.'),
    cert_digest: text('SHA-256 hex digest of the certificate (computed when omitted).'),
    tags: tags(),
  }, ['cert']);
}
