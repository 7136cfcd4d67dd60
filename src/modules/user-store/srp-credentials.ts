import { createSrpVerifier } from '../srp/index.ts';
import type { Pool } from '../pools/pools.types.ts';

/**
 * The SRP columns to store with a new password: a verifier only where the pool has SRP on,
 * since it is a weaker secret than the argon2 hash (a salted SHA-256 of the password).
 */
export function srpCredentials(pool: Pick<Pool, 'id' | 'srpEnabled'>, username: string, password: string) {
  if (!pool.srpEnabled) return { srpSalt: null, srpVerifier: null };
  const { salt, verifier } = createSrpVerifier(pool.id, username, password);
  return { srpSalt: salt, srpVerifier: verifier };
}
