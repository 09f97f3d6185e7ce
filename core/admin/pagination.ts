/**
 * Kong's list pagination: `size` (default 100, 1..1000) and an opaque `offset`; the
 * answer is `{ data, next, offset? }` where `next` is the path of the following page.
 * Pages are cut in id order and the offset names the first id of the next page, so
 * walking `next` visits every entity once even while others are added or deleted.
 * `tags=a,b` keeps entities with every tag, `tags=a/b` those with any.
 */
import { KongCode, kongError } from './errors.js';
import type { Raw } from './entities.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface Page {
  data: Raw[];
  next: string | null;
  offset?: string;
}

function encodeOffset(id: string): string {
  return Buffer.from(JSON.stringify([id])).toString('base64url');
}

function decodeOffset(text: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && typeof parsed[0] === 'string') return parsed[0];
  } catch {
    // fall through to the error below
  }
  throw kongError(KongCode.INVALID_OFFSET, `'${text}' is not a valid offset: bad base64 encoding`);
}

function pageSize(query: URLSearchParams): number {
  const text = query.get('size');
  if (text === null) return DEFAULT_PAGE_SIZE;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > MAX_PAGE_SIZE) {
    throw kongError(KongCode.INVALID_SIZE, `size must be an integer between 1 and ${MAX_PAGE_SIZE}`);
  }
  return n;
}

function tagFilter(query: URLSearchParams): ((entity: Raw) => boolean) | null {
  const text = query.get('tags');
  if (text === null || text === '') return null;
  const any = text.includes('/');
  const wanted = text.split(any ? '/' : ',');
  return (entity) => {
    const tags = Array.isArray(entity['tags']) ? (entity['tags'] as string[]) : [];
    return any ? wanted.some((t) => tags.includes(t)) : wanted.every((t) => tags.includes(t));
  };
}

/** One page of `entities` for a list request on `path`. */
export function paginate(entities: readonly Raw[], path: string, query: URLSearchParams): Page {
  const size = pageSize(query);
  const offsetText = query.get('offset');
  const start = offsetText === null ? null : decodeOffset(offsetText);
  const filter = tagFilter(query);
  const sorted = entities
    .filter((e) => filter === null || filter(e))
    .sort((a, b) => (String(a['id']) < String(b['id']) ? -1 : String(a['id']) > String(b['id']) ? 1 : 0));
  const from = start === null ? 0 : sorted.findIndex((e) => String(e['id']) >= start);
  const rest = from === -1 ? [] : sorted.slice(from);
  const data = rest.slice(0, size);
  const following = rest[size];
  if (following === undefined) return { data, next: null };
  const offset = encodeOffset(String(following['id']));
  const params = new URLSearchParams();
  params.set('offset', offset);
  if (query.has('size')) params.set('size', String(size));
  if (query.has('tags')) params.set('tags', query.get('tags') as string);
  return { data, next: `${path}?${params.toString()}`, offset };
}
