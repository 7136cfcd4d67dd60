import argon2 from 'argon2';

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
