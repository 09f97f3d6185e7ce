/**
 * The admin API's one error table: Kong's db error codes (kong/db/errors.lua) with the
 * status each maps to (kong/api/endpoints.lua ERRORS_HTTP_CODES) and Kong's wording.
 * Handlers throw AdminError; the server turns it into the response, so no handler
 * writes an error body by hand.
 */

export const KongCode = {
  PRIMARY_KEY_VIOLATION: 3,
  FOREIGN_KEY_VIOLATION: 4,
  SCHEMA_VIOLATION: 2,
  UNIQUE_VIOLATION: 5,
  INVALID_OFFSET: 7,
  INVALID_SIZE: 9,
  DECLARATIVE_CONFIG: 14,
} as const;

const STATUS_OF_CODE: Readonly<Record<number, number>> = {
  [KongCode.SCHEMA_VIOLATION]: 400,
  [KongCode.PRIMARY_KEY_VIOLATION]: 400,
  [KongCode.FOREIGN_KEY_VIOLATION]: 400,
  [KongCode.UNIQUE_VIOLATION]: 409,
  [KongCode.INVALID_OFFSET]: 400,
  [KongCode.INVALID_SIZE]: 400,
  [KongCode.DECLARATIVE_CONFIG]: 400,
};

const NAME_OF_CODE: Readonly<Record<number, string>> = {
  [KongCode.SCHEMA_VIOLATION]: 'schema violation',
  [KongCode.PRIMARY_KEY_VIOLATION]: 'primary key violation',
  [KongCode.FOREIGN_KEY_VIOLATION]: 'foreign key violation',
  [KongCode.UNIQUE_VIOLATION]: 'unique constraint violation',
  [KongCode.INVALID_OFFSET]: 'invalid offset',
  [KongCode.INVALID_SIZE]: 'invalid size',
  [KongCode.DECLARATIVE_CONFIG]: 'invalid declarative configuration',
};

/** An error answered as-is: `status` and a JSON `body`. */
export class AdminError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    super(typeof body['message'] === 'string' ? body['message'] : `admin error ${status}`);
    this.name = 'AdminError';
    this.status = status;
    this.body = body;
  }
}

/** A plain `{"message": ...}` error (404, 401, 405, 413, malformed bodies). */
export function plainError(status: number, message: string): AdminError {
  return new AdminError(status, { message });
}

/** A Kong db error: `{code, name, message, fields?, ...extra}` with the code's status. */
export function kongError(code: number, message: string, fields?: Record<string, unknown>, extra: Record<string, unknown> = {}): AdminError {
  const body: Record<string, unknown> = { code, name: NAME_OF_CODE[code] ?? 'error', message };
  if (fields !== undefined) body['fields'] = fields;
  return new AdminError(STATUS_OF_CODE[code] ?? 400, { ...body, ...extra });
}

export const notFound = (): AdminError => plainError(404, 'Not found');
export const methodNotAllowed = (): AdminError => plainError(405, 'Method not allowed');
export const unauthorized = (): AdminError => plainError(401, 'Unauthorized');
export const tooLarge = (limit: number): AdminError => plainError(413, `Request body is larger than the ${limit}-byte limit`);

/** Kong renders keys in messages as Lua tables: `{name="foo"}`. */
export function luaKey(fields: Record<string, unknown>): string {
  const parts = Object.entries(fields).map(([k, v]) => {
    if (v === null || v === undefined) return `${k}=null`;
    if (typeof v === 'object') return `${k}=${luaKey(v as Record<string, unknown>)}`;
    return typeof v === 'string' ? `${k}="${v}"` : `${k}=${String(v)}`;
  });
  return `{${parts.join(',')}}`;
}

export function uniqueViolation(fields: Record<string, unknown>): AdminError {
  return kongError(KongCode.UNIQUE_VIOLATION, `UNIQUE violation detected on '${luaKey(fields)}'`, fields);
}

export function primaryKeyViolation(id: string): AdminError {
  return kongError(KongCode.PRIMARY_KEY_VIOLATION, `PRIMARY KEY violation detected on '${luaKey({ id })}'`, { id });
}

export function foreignKeyMissing(field: string, key: Record<string, unknown>, collection: string): AdminError {
  const message = `the foreign key '${luaKey(key)}' does not reference an existing '${collection}' entity.`;
  return kongError(KongCode.FOREIGN_KEY_VIOLATION, message, { [field]: message });
}

export function referencedBy(collection: string, parent: string): AdminError {
  return kongError(
    KongCode.FOREIGN_KEY_VIOLATION,
    `an existing '${collection}' entity references this '${parent}' entity`,
    { '@referenced_by': collection },
  );
}

/** A request problem that is not about stored entities (bad query argument, wrong body type). */
export function schemaViolation(fields: Record<string, unknown>, message: string): AdminError {
  return kongError(KongCode.SCHEMA_VIOLATION, message, fields);
}
