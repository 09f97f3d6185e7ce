/**
 * Kong's basic-auth password hash (kong/plugins/basic-auth/crypto.lua): the hex SHA-1 of
 * the password followed by the consumer's id, the id serving as salt. The compile step
 * hashes each credential once with it (workers never see a plain password) and the admin
 * API shows it instead of the password, as Kong does.
 */
import { createHash } from 'node:crypto';

export function basicAuthHash(consumerId: string, password: string | Buffer): string {
  return createHash('sha1').update(password).update(consumerId).digest('hex');
}
