/**
 * Shared JSON Schema fragments (draft-07, compiled by ajv 8) for the declarative config.
 *
 * Each export is a function returning a fresh schema object, so every use site can carry
 * its own `description` (every field in the document schema has one). Patterns that ajv
 * would report as "must match pattern ..." are listed in PATTERN_MESSAGES so the error
 * table can print something a human understands instead of the regex.
 */

type Schema = Record<string, unknown>;

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
/** Hostname labels (underscores allowed, as Kong does for service-discovery names), IPv4, or IPv6. */
export const HOST_PATTERN =
  '^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?|\\[?[0-9A-Fa-f]*:[0-9A-Fa-f:.]+\\]?)$';
/** Route host: a hostname with at most one `*` as the first or last label, optional `:port`. */
export const ROUTE_HOST_PATTERN =
  '^(?:\\*\\.)?[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*(?:\\.\\*)?(?::[0-9]{1,5})?$';
export const PATH_PATTERN = '^/';
export const ROUTE_PATH_PATTERN = '^[/~]';
/** RFC 9110 token. */
export const HEADER_NAME_PATTERN = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$";
/** Kong's utf8 names: letters, digits, `.`, `-`, `_`, `~`. */
export const NAME_PATTERN = '^[\\p{L}\\p{N}._~-]+$';
export const TAG_PATTERN = '^[^,/\\s][^,/]*$';
export const METHOD_PATTERN = '^[A-Za-z]+$';

export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [UUID_PATTERN]: 'must be a uuid',
  [HOST_PATTERN]: 'must be a valid hostname or IP address',
  [ROUTE_HOST_PATTERN]: 'must be a hostname with an optional leading or trailing wildcard and optional port',
  [PATH_PATTERN]: 'must start with "/"',
  [ROUTE_PATH_PATTERN]: 'must start with "/" (prefix) or "~" (regex)',
  [HEADER_NAME_PATTERN]: 'must be a valid header name',
  [NAME_PATTERN]: 'must contain only letters, digits, ".", "-", "_" or "~"',
  [TAG_PATTERN]: 'must be a non-empty tag without "," or "/"',
  [METHOD_PATTERN]: 'must be an HTTP method (letters only)',
};

/** The protocols Gatehouse serves (its listeners speak HTTP/1.1, plain and over TLS). */
export const PROTOCOLS = ['http', 'https'] as const;
/**
 * Every protocol name Kong's schemas accept (kong/constants.lua PROTOCOLS). A plugin may list
 * any of them; it simply never runs for the ones Gatehouse does not serve.
 */
export const KONG_PROTOCOLS = ['http', 'https', 'grpc', 'grpcs', 'tcp', 'tls', 'tls_passthrough', 'udp', 'ws', 'wss'] as const;
export const MAX_TIMEOUT_MS = 2 ** 31 - 2;

/**
 * Annotation keyword on an enum: values Kong accepts that Gatehouse refuses, each with the
 * reason. They still fail the enum; schema-errors.ts words the error as "not supported"
 * instead of listing the enum, so the operator learns the value is known, not mistyped.
 */
export const REFUSED_KEYWORD = 'x-refused';

export function refusing(schema: Schema, refused: Readonly<Record<string, string>>): Schema {
  return { ...schema, [REFUSED_KEYWORD]: refused };
}

export function uuid(description: string): Schema {
  return { type: 'string', pattern: UUID_PATTERN, description };
}

export function name(description: string): Schema {
  return { type: 'string', minLength: 1, pattern: NAME_PATTERN, description };
}

export function host(description: string): Schema {
  return { type: 'string', minLength: 1, maxLength: 253, pattern: HOST_PATTERN, description };
}

export function port(description: string): Schema {
  return { type: 'integer', minimum: 0, maximum: 65535, description };
}

export function path(description: string): Schema {
  return { type: 'string', pattern: PATH_PATTERN, description };
}

export function protocol(description: string, dflt?: string): Schema {
  const s: Schema = { type: 'string', enum: [...PROTOCOLS], description };
  if (dflt !== undefined) s['default'] = dflt;
  return s;
}

export function protocols(description: string, dflt: readonly string[], allowed: readonly string[] = PROTOCOLS): Schema {
  return {
    type: 'array',
    minItems: 1,
    uniqueItems: true,
    items: { type: 'string', enum: [...allowed], description: 'A protocol.' },
    default: [...dflt],
    description,
  };
}

export function headerName(description: string): Schema {
  return { type: 'string', minLength: 1, pattern: HEADER_NAME_PATTERN, description };
}

export function timeout(description: string, dflt: number): Schema {
  return { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_MS, default: dflt, description };
}

export function tags(): Schema {
  return {
    type: 'array',
    items: { type: 'string', pattern: TAG_PATTERN, maxLength: 128, description: 'A tag.' },
    uniqueItems: true,
    default: [],
    description: 'Free-form labels for filtering and grouping; not used for routing.',
  };
}

export function bool(description: string, dflt?: boolean): Schema {
  const s: Schema = { type: 'boolean', description };
  if (dflt !== undefined) s['default'] = dflt;
  return s;
}

export function integer(description: string, min: number, max: number, dflt?: number): Schema {
  const s: Schema = { type: 'integer', minimum: min, maximum: max, description };
  if (dflt !== undefined) s['default'] = dflt;
  return s;
}

export function text(description: string): Schema {
  return { type: 'string', minLength: 1, description };
}

/**
 * A foreign key: a name (or `keyField`, Kong's endpoint key) or id string, or `{ id }` /
 * `{ <keyField> }` as Kong's declarative format writes it.
 */
export function reference(entity: string, keyField = 'name'): Schema {
  return {
    type: ['string', 'object'],
    minLength: 1,
    properties: {
      id: uuid(`Id of the ${entity}.`),
      [keyField]: { type: 'string', minLength: 1, description: `${keyField === 'name' ? 'Name' : keyField} of the ${entity}.` },
    },
    additionalProperties: false,
    minProperties: 1,
    description: `The ${entity} this entity belongs to: its name or id, or an object with \`id\` or \`name\`.`,
  };
}

/**
 * The fields Kong's declarative format allows on every entity and that never reach the
 * normalized config: `_comment` and `_ignore` (kong/db/schema/others/declarative_config.lua
 * add_extra_attributes) and the timestamps an export carries (`kong config db_export`).
 */
function entityExtras(): Record<string, Schema> {
  return {
    _comment: { type: 'string', description: 'Free-form comment (Kong declarative format); ignored.' },
    _ignore: { type: 'array', description: 'Anything (Kong declarative format); ignored.' },
    created_at: { type: 'number', minimum: 0, description: 'Creation time as exported by Kong; ignored.' },
    updated_at: { type: 'number', minimum: 0, description: 'Update time as exported by Kong; ignored.' },
  };
}

/** An entity record: its fields plus the extras every Kong entity accepts. */
export function entity(description: string, properties: Record<string, Schema>, required: string[] = []): Schema {
  return record(description, { ...properties, ...entityExtras() }, required);
}

/** An object schema whose unknown fields are errors. */
export function record(description: string, properties: Record<string, Schema>, required: string[] = []): Schema {
  const s: Schema = { type: 'object', description, properties, additionalProperties: false };
  if (required.length > 0) s['required'] = required;
  return s;
}

export function arrayOf(description: string, items: Schema): Schema {
  return { type: 'array', items, description };
}
