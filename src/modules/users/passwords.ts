import { randomInt } from 'node:crypto';
import argon2 from 'argon2';
import type { PasswordPolicy } from '../pools/pool-settings.ts';

export interface PasswordHashingOptions {
  memoryCostKiB: number;
  timeCost: number;
  parallelism: number;
}

/** argon2id; the native binding hashes on libuv's thread pool, so the event loop never blocks. */
export function createPasswordHasher(options: PasswordHashingOptions) {
  const params = {
    type: argon2.argon2id,
    memoryCost: options.memoryCostKiB,
    timeCost: options.timeCost,
    parallelism: options.parallelism,
  } as const;
  let dummy: Promise<string> | undefined;

  return {
    hash: (password: string) => argon2.hash(password, params),
    async verify(hash: string, password: string): Promise<boolean> {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
    /** Spend the time of a real verification, so an unknown user takes as long as a known one. */
    async verifyDummy(password: string): Promise<void> {
      dummy ??= argon2.hash('cognate-dummy-password', params);
      await argon2.verify(await dummy, password).catch(() => false);
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;

const CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '^$*.[]{}()?!@#%&-_='];

/**
 * A temporary password for an admin-created user: one of every character class the strictest
 * policy asks for, at least 12 characters, from the CSPRNG, shuffled.
 */
export function generateTemporaryPassword(policy: PasswordPolicy): string {
  const length = Math.max(12, policy.minimumLength);
  const chars = CLASSES.map((set) => set[randomInt(set.length)]!);
  const all = CLASSES.join('');
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}
