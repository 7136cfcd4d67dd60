/** Seeding for the benchmarks: many users straight into PostgreSQL, as real as a sign-up makes them. */
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.ts';

/**
 * `count` confirmed users `user1`…`userN` in `poolId`, each with the same real argon2id
 * `passwordHash` (a sign-in verifies exactly what a real user's would) and five attributes, as a
 * typical profile: a verified email, given and family name, nickname, locale. The database's
 * triggers fill the sign-in names as for any other write.
 */
export async function seedUsers(db: Db, poolId: string, count: number, passwordHash: string): Promise<void> {
  for (let from = 1; from <= count; from += 50_000) {
    const to = Math.min(count, from + 49_999);
    await db.execute(sql`
      insert into users (id, pool_id, username, username_key, status, enabled, password_hash)
      select gen_random_uuid(), ${poolId}, 'user' || g, 'user' || g, 'CONFIRMED', true, ${passwordHash}
      from generate_series(${from}::int, ${to}::int) g`);
  }
  await db.execute(sql`
    insert into user_attributes (user_id, pool_id, name, value, verified)
    select u.id, u.pool_id, a.name,
      case a.name when 'email' then u.username || '@example.com' when 'given_name' then 'Given' || substr(u.username, 5)
        when 'family_name' then 'Family' || substr(u.username, 5) when 'nickname' then 'nick-' || substr(u.username, 5) else 'en-GB' end,
      case a.name when 'email' then true end
    from users u cross join (values ('email'), ('given_name'), ('family_name'), ('nickname'), ('locale')) a(name)
    where u.pool_id = ${poolId}`);
  await db.execute(sql`analyze users`);
  await db.execute(sql`analyze user_attributes`);
}

/** `count` usernames spread evenly over user1…user`total`. */
export function spreadUsernames(total: number, count: number): string[] {
  const n = Math.min(total, count);
  return Array.from({ length: n }, (_, i) => `user${1 + Math.floor((i * total) / n)}`);
}
