/**
 * The optional admin token (GATEHOUSE_ADMIN_TOKEN). When set, every request carries it in
 * `Kong-Admin-Token` or `Authorization: Bearer …`; the comparison is constant-time. When
 * unset, the admin listener may bind loopback addresses only: an open admin API on a
 * public interface is a remote config-replacement endpoint.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

/** A check for the request headers, or null when no token is configured. */
export function tokenCheck(token: string | null): ((headers: IncomingHttpHeaders) => boolean) | null {
  if (token === null || token === '') return null;
  // Hash both sides so the comparison is constant-time whatever the lengths.
  const want = createHash('sha256').update(token).digest();
  const matches = (given: string): boolean => timingSafeEqual(createHash('sha256').update(given).digest(), want);
  return (headers) => {
    const kong = headers['kong-admin-token'];
    if (typeof kong === 'string' && matches(kong)) return true;
    const auth = headers.authorization;
    if (typeof auth === 'string') {
      const m = /^Bearer[ \t]+(.+)$/i.exec(auth.trim());
      if (m !== null && matches(m[1] as string)) return true;
    }
    return false;
  };
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return isIP(h.slice(7)) === 4 && h.slice(7).startsWith('127.');
  return false;
}

/** An error message when `host` may not be bound without a token, else null. */
export function adminBindProblem(host: string, token: string | null): string | null {
  if (isLoopback(host) || (token !== null && token !== '')) return null;
  return `refusing to bind the admin API to non-loopback address ${host} without an admin token: set GATEHOUSE_ADMIN_TOKEN, or listen on 127.0.0.1`;
}
