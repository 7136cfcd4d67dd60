import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { and, count, eq, sql } from 'drizzle-orm';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder, openDatabase, type Database, type Db } from '../../src/db/client.ts';
import { uniqueViolation } from '../../src/db/errors.ts';
import {
  auditEvents,
  clients,
  codeEvents,
  outboxMessages,
  pools,
  refreshTokens,
  signInNames,
  signingKeys,
  userAttributes,
  users,
  verificationCodes,
} from '../../src/db/schema/index.ts';
import { CognitoError } from '../../src/errors/cognito-error.ts';
import { buildPoolAttributeSettings } from '../../src/modules/attributes/index.ts';
import type { Pool } from '../../src/modules/pools/pools.service.ts';
import { resolvePolicies } from '../../src/modules/pools/pool-settings.ts';
import { findUserByUsername, setAttribute, usernameKey } from '../../src/modules/user-store/users.repository.ts';
import { onPostgres, openScratchPostgres, openTestDatabase } from '../support/database.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const journalEntries = async (folder: string) =>
  (JSON.parse(await readFile(path.join(folder, 'meta', '_journal.json'), 'utf8')).entries as unknown[]).length;

/**
 * A database with nothing in it: a new database on the PostgreSQL server (dropped at close),
 * or a new in-memory PGlite. Unlike openTestDatabase, nothing is migrated.
 */
async function openEmptyDatabase(): Promise<Database> {
  return onPostgres ? openScratchPostgres('cognate_mig') : openDatabase({ kind: 'pglite' });
}

/** Applies the migrations of another folder (a generated one) with drizzle's migrator. */
function migrateFrom(database: Database, folder: string): Promise<void> {
  return database.kind === 'postgres'
    ? migratePg(database.db as never, { migrationsFolder: folder })
    : migratePglite(database.db as never, { migrationsFolder: folder });
}

/** Runs `npx drizzle-kit generate` writing into `out`; returns its output. */
async function drizzleKitGenerate(out: string): Promise<string> {
  // drizzle-kit prefixes the out folder with './', so an absolute path breaks it: pass it relative.
  const env = { ...process.env, DRIZZLE_OUT: path.relative(repoRoot, out) };
  const { stdout, stderr } = await run('npx', ['drizzle-kit', 'generate'], { cwd: repoRoot, env, timeout: 120_000 });
  return `${stdout}\n${stderr}`;
}

const sqlFiles = async (folder: string) => (await readdir(folder)).filter((f) => f.endsWith('.sql')).sort();

/** Tables, columns, constraints and indexes of the public schema, as PostgreSQL describes them. */
async function schemaFingerprint(db: Db): Promise<string[]> {
  const rows = (query: ReturnType<typeof sql>) =>
    db.execute(query).then((r) => (r as unknown as { rows: Record<string, unknown>[] }).rows);
  const columns = await rows(sql`
    select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') as d
    from information_schema.columns where table_schema = 'public'`);
  const constraints = await rows(sql`
    select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) as d
    from pg_constraint where connamespace = 'public'::regnamespace`);
  const indexes = await rows(sql`select indexdef as d from pg_indexes where schemaname = 'public'`);
  return [...columns, ...constraints, ...indexes].map((r) => String(r.d)).sort();
}

describe('migrations', () => {
  let database: Database;
  before(async () => {
    database = await openEmptyDatabase();
  });
  after(() => database?.close());

  test('ready() refuses a database that has not been migrated', async () => {
    await assert.rejects(database.ready());
  });

  test(`apply from nothing through drizzle's migrator, then ready() passes (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, async () => {
    await database.migrate();
    await database.ready();
    const [row] = await database.db.select({ n: count() }).from(users);
    assert.equal(row!.n, 0);
  });

  test('running migrate again is harmless', async () => {
    const before = await schemaFingerprint(database.db);
    await database.migrate();
    await database.migrate();
    await database.ready();
    const applied = await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    assert.equal((applied as unknown as { rows: { n: number }[] }).rows[0]!.n, await journalEntries(migrationsFolder));
    assert.deepEqual(await schemaFingerprint(database.db), before);
  });

  test('the drizzle schema and migrations/ do not drift', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'cognate-drift-'));
    try {
      await cp(migrationsFolder, scratch, { recursive: true });
      const before = await sqlFiles(scratch);
      const output = await drizzleKitGenerate(scratch);
      const written = (await sqlFiles(scratch)).filter((f) => !before.includes(f));
      if (written.length > 0) {
        const preview = (await readFile(path.join(scratch, written[0]!), 'utf8')).slice(0, 1500);
        assert.fail(
          `src/db/schema has changes that no migration holds: run \`npm run db:generate\` and commit the new migration.\n` +
            `drizzle-kit would write ${written.join(', ')}:\n${preview}`,
        );
      }
      // drizzle-kit exits 0 even when it fails, so insist on its all-clear.
      assert.match(
        output,
        /No schema changes/,
        `drizzle-kit generate did not confirm the schema is unchanged:\n${output}`,
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  test('migrations/ build the database the drizzle schema describes (no hand edits)', async () => {
    // Generate the whole schema from nothing and compare what PostgreSQL ends up with:
    // a migration edited after generation (or a stale snapshot) shows up here.
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'cognate-fresh-'));
    const reference = await openEmptyDatabase();
    try {
      const output = await drizzleKitGenerate(scratch);
      assert.equal(
        (await sqlFiles(scratch)).length,
        1,
        `drizzle-kit generate wrote no migration into an empty folder:\n${output}`,
      );
      await migrateFrom(reference, scratch);
      assert.deepEqual(await schemaFingerprint(database.db), await schemaFingerprint(reference.db));
    } finally {
      await reference.close();
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

/** The PostgreSQL error behind a failed query (drizzle wraps it), from either driver. */
async function pgError(promise: Promise<unknown>): Promise<{ code: string; constraint?: string }> {
  try {
    await promise;
  } catch (error) {
    for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
      const { code, constraint } = e as { code?: unknown; constraint?: unknown };
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))
        return { code, ...(typeof constraint === 'string' && { constraint }) };
    }
    throw error;
  }
  assert.fail('the statement was accepted');
}

const UNIQUE = '23505';
const FOREIGN_KEY = '23503';
const CHECK = '23514';

describe('database invariants', () => {
  let database: Database;
  let db: Db;
  before(async () => {
    database = await openTestDatabase();
    db = database.db;
  });
  after(() => database?.close());

  let poolCounter = 0;
  async function makePool(
    settings: { aliasAttributes?: ('email' | 'phone_number' | 'preferred_username')[] } = {},
  ): Promise<Pool> {
    const id = `test_${(++poolCounter).toString().padStart(9, '0')}`;
    const [pool] = await db
      .insert(pools)
      .values({ id, name: id, attributeSettings: buildPoolAttributeSettings(settings), policies: resolvePolicies() })
      .returning();
    return pool!;
  }
  async function makeUser(pool: Pool, username: string) {
    const [user] = await db
      .insert(users)
      .values({
        id: randomUUID(),
        poolId: pool.id,
        username,
        usernameKey: usernameKey(pool, username),
        status: 'CONFIRMED',
      })
      .returning();
    return user!;
  }

  test('usernames are unique per pool, compared case-insensitively (users_pool_username_key)', async () => {
    const poolA = await makePool();
    const poolB = await makePool();
    const bob = await makeUser(poolA, 'Bob');
    const refused = await pgError(makeUser(poolA, 'BOB'));
    assert.deepEqual(refused, { code: UNIQUE, constraint: 'users_pool_username_key' });
    // The repositories map by constraint name: the name must come through from this driver too.
    assert.equal(uniqueViolation(await makeUser(poolA, 'bOb').catch((e: unknown) => e)), 'users_pool_username_key');
    await makeUser(poolB, 'bob');
    assert.equal((await findUserByUsername(db, poolA, 'BOB'))?.id, bob.id);
    const [row] = await db.select({ n: count() }).from(users).where(eq(users.poolId, poolA.id));
    assert.equal(row!.n, 1);
  });

  test("one sign-in namespace per pool: a name is one user's, as username or as any alias (sign_in_names_pkey)", async () => {
    const poolA = await makePool({ aliasAttributes: ['email', 'preferred_username'] });
    const poolB = await makePool({ aliasAttributes: ['email'] });
    const [u1, u2, u3] = [await makeUser(poolA, 'u1'), await makeUser(poolA, 'u2'), await makeUser(poolA, 'u3')];
    const attr = (userId: string, pool: Pool, aliasKey: string | null, name = 'email') => ({
      userId,
      poolId: pool.id,
      name,
      value: 'same@example.com',
      verified: name === 'email' ? aliasKey !== null : null,
      aliasKey,
    });
    const taken = { code: UNIQUE, constraint: 'sign_in_names_pkey' };
    await db.insert(userAttributes).values(attr(u1.id, poolA, 'same@example.com'));
    assert.deepEqual(await pgError(db.insert(userAttributes).values(attr(u2.id, poolA, 'same@example.com'))), taken);
    // Unverified copies of the value hold no alias: any number of them is fine.
    await db.insert(userAttributes).values([attr(u2.id, poolA, null), attr(u3.id, poolA, null)]);
    // The same name under another attribute is the same name: refused (the takeover of issue 11).
    assert.deepEqual(
      await pgError(db.insert(userAttributes).values(attr(u2.id, poolA, 'same@example.com', 'preferred_username'))),
      taken,
    );
    // A username and an alias share the namespace, both ways.
    assert.deepEqual(
      await pgError(db.insert(userAttributes).values(attr(u2.id, poolA, 'u1', 'preferred_username'))),
      taken,
    );
    assert.deepEqual(await pgError(makeUser(poolA, 'same@example.com')), taken);
    // Another pool is another namespace.
    const other = await makeUser(poolB, 'u1');
    await db.insert(userAttributes).values(attr(other.id, poolB, 'same@example.com'));
    // Turning an existing row into an alias is refused the same way.
    assert.deepEqual(
      await pgError(
        db.update(userAttributes).set({ aliasKey: 'same@example.com' }).where(eq(userAttributes.userId, u3.id)),
      ),
      taken,
    );
    // ...and the repository reports it as Cognito does, whatever the address's case or width.
    for (const value of ['SAME@example.com', 'same@ｅｘａｍｐｌｅ.com', 'same@example。com']) {
      await assert.rejects(
        setAttribute(db, poolA, u3.id, 'email', { value, verified: true, pendingValue: null }),
        (e: unknown) => e instanceof CognitoError && e.name === 'AliasExistsException',
      );
    }
    const owners = await db
      .select({ userId: signInNames.userId, source: signInNames.source })
      .from(signInNames)
      .where(and(eq(signInNames.poolId, poolA.id), eq(signInNames.nameKey, 'same@example.com')));
    assert.deepEqual(owners, [{ userId: u1.id, source: 'email' }]);
    // Releasing the alias (unverifying it) or deleting the user frees the name.
    await db.update(userAttributes).set({ aliasKey: null, verified: false }).where(eq(userAttributes.userId, u1.id));
    await db
      .update(userAttributes)
      .set({ aliasKey: 'same@example.com', verified: true })
      .where(eq(userAttributes.userId, u3.id));
    await db.delete(users).where(eq(users.id, u3.id));
    await db.insert(userAttributes).values(attr(u2.id, poolA, 'same@example.com', 'preferred_username'));
    const left = await db.select({ userId: signInNames.userId }).from(signInNames).where(eq(signInNames.userId, u3.id));
    assert.deepEqual(left, []);
  });

  test("an attribute row belongs to its user's pool", async () => {
    // The alias index is per pool through the denormalised pool_id: it must be the user's.
    const poolA = await makePool();
    const poolB = await makePool();
    const user = await makeUser(poolA, 'someone');
    const refused = await pgError(
      db.insert(userAttributes).values({ userId: user.id, poolId: poolB.id, name: 'given_name', value: 'x' }),
    );
    assert.equal(refused.code, FOREIGN_KEY);
  });

  test('foreign keys: deleting a pool deletes everything in it; deleting a user deletes what is theirs', async () => {
    const pool = await makePool({ aliasAttributes: ['email'] });
    const keep = await makePool();
    const keptUser = await makeUser(keep, 'kept');
    const clientId = randomBytes(13).toString('hex');
    await db.insert(clients).values({ id: clientId, poolId: pool.id, name: 'app' });
    await db.insert(signingKeys).values({ kid: randomUUID(), poolId: pool.id, privateKeyPem: 'x', publicKeyPem: 'y' });
    const seed = async (userId: string, poolId: string, email: string) => {
      await db
        .insert(userAttributes)
        .values({ userId, poolId, name: 'email', value: email, verified: true, aliasKey: email });
      await db.insert(verificationCodes).values({
        userId,
        purpose: 'VERIFY_ATTRIBUTE',
        attributeName: 'email',
        destination: email,
        codeHmac: 'h',
        maxAttempts: 5,
        expiresAt: new Date(Date.now() + 3600_000),
      });
      await db.insert(codeEvents).values({ userId, kind: 'send', purpose: 'SIGN_UP' });
      await db
        .insert(outboxMessages)
        .values({ poolId, userId, medium: 'EMAIL', destination: email, purpose: 'VERIFY_ATTRIBUTE' });
    };
    const [alice, bob] = [await makeUser(pool, 'alice'), await makeUser(pool, 'bob')];
    await seed(alice.id, pool.id, 'alice@example.com');
    await seed(bob.id, pool.id, 'bob@example.com');
    await seed(keptUser.id, keep.id, 'kept@example.com');
    await db.insert(refreshTokens).values({
      id: randomUUID(),
      userId: alice.id,
      clientId,
      tokenHash: randomBytes(16).toString('hex'),
      authTime: new Date(),
      expiresAt: new Date(Date.now() + 3600_000),
    });

    const countOf = async (
      table: typeof userAttributes | typeof verificationCodes | typeof codeEvents | typeof refreshTokens,
      userId: string,
    ) => {
      const [row] = await db.select({ n: count() }).from(table).where(eq(table.userId, userId));
      return row!.n;
    };

    // A user: attributes, codes, events and sessions go; the outbox keeps its record without them.
    await db.delete(users).where(eq(users.id, alice.id));
    for (const table of [userAttributes, verificationCodes, codeEvents, refreshTokens])
      assert.equal(await countOf(table, alice.id), 0);
    const orphaned = await db
      .select({ userId: outboxMessages.userId })
      .from(outboxMessages)
      .where(eq(outboxMessages.destination, 'alice@example.com'));
    assert.deepEqual(orphaned, [{ userId: null }]);

    // A pool: everything in it.
    await db.delete(pools).where(eq(pools.id, pool.id));
    for (const table of [users, clients, signingKeys, userAttributes, outboxMessages] as const) {
      const [row] = await db.select({ n: count() }).from(table).where(eq(table.poolId, pool.id));
      assert.equal(row!.n, 0, `rows left in a table after the pool was deleted`);
    }
    for (const table of [userAttributes, verificationCodes, codeEvents]) assert.equal(await countOf(table, bob.id), 0);
    // ...and nothing of the other pool.
    for (const table of [userAttributes, verificationCodes, codeEvents])
      assert.equal(await countOf(table, keptUser.id), 1);

    // Rows cannot point at nothing.
    assert.equal((await pgError(makeUser({ ...keep, id: 'gone_000000000' }, 'x'))).code, FOREIGN_KEY);
    assert.equal(
      (await pgError(db.insert(codeEvents).values({ userId: randomUUID(), kind: 'confirm', purpose: 'SIGN_UP' }))).code,
      FOREIGN_KEY,
    );
  });

  test('check constraints: status, value length, id formats, purposes', async () => {
    const pool = await makePool();
    const user = await makeUser(pool, 'checked');

    const badStatus = db
      .insert(users)
      .values({ id: randomUUID(), poolId: pool.id, username: 'x', usernameKey: 'x', status: 'ACTIVE' as never });
    assert.deepEqual(await pgError(badStatus), { code: CHECK, constraint: 'users_status_valid' });
    assert.deepEqual(
      await pgError(
        db
          .update(users)
          .set({ status: 'confirmed' as never })
          .where(eq(users.id, user.id)),
      ),
      {
        code: CHECK,
        constraint: 'users_status_valid',
      },
    );

    // 2048 characters, as Cognito counts them (not bytes): multi-byte letters fit.
    await db
      .insert(userAttributes)
      .values({ userId: user.id, poolId: pool.id, name: 'custom:a', value: 'é'.repeat(2048) });
    const tooLong = db
      .insert(userAttributes)
      .values({ userId: user.id, poolId: pool.id, name: 'custom:b', value: 'x'.repeat(2049) });
    assert.deepEqual(await pgError(tooLong), { code: CHECK, constraint: 'user_attributes_value_length' });

    for (const id of [
      'local_short',
      'Local_Ab3dEf7Gh',
      'local-Ab3dEf7Gh',
      'local_Ab3dEf7Gh!',
      `${'a'.repeat(33)}_Ab3dEf7Gh`,
    ]) {
      const refused = await pgError(
        db.insert(pools).values({ id, name: 'x', attributeSettings: pool.attributeSettings, policies: pool.policies }),
      );
      assert.deepEqual(refused, { code: CHECK, constraint: 'pools_id_format' }, id);
    }
    assert.deepEqual(await pgError(db.insert(clients).values({ id: 'NOT-A-CLIENT-ID', poolId: pool.id, name: 'x' })), {
      code: CHECK,
      constraint: 'clients_id_format',
    });
    const badPurpose = db.insert(verificationCodes).values({
      userId: user.id,
      purpose: 'LOGIN' as never,
      attributeName: 'email',
      destination: 'd',
      codeHmac: 'h',
      maxAttempts: 5,
      expiresAt: new Date(),
    });
    assert.deepEqual(await pgError(badPurpose), { code: CHECK, constraint: 'verification_codes_purpose_valid' });
    const badMedium = db
      .insert(outboxMessages)
      .values({ poolId: pool.id, medium: 'FAX' as never, destination: 'd', purpose: 'SIGN_UP' });
    assert.deepEqual(await pgError(badMedium), { code: CHECK, constraint: 'outbox_messages_medium_valid' });
  });
});

describe('migration 0005: one sign-in namespace for names already stored', () => {
  test('look-alike emails and cross-attribute claims: the earliest verified claim keeps the name, the others are released and reported', async () => {
    const database = await openEmptyDatabase();
    const before0005 = await mkdtemp(path.join(os.tmpdir(), 'cognate-0004-'));
    try {
      // The migrations up to 0004, as a database upgraded from the previous release has them.
      await cp(migrationsFolder, before0005, { recursive: true });
      const journalFile = path.join(before0005, 'meta', '_journal.json');
      const journal = JSON.parse(await readFile(journalFile, 'utf8'));
      const index = journal.entries.findIndex((e: { tag: string }) => e.tag === '0005_sign_in_namespace');
      journal.entries = journal.entries.slice(0, index);
      await writeFile(journalFile, JSON.stringify(journal));
      await migrateFrom(database, before0005);

      const db = database.db;
      const pool = 'test_000000099';
      // In SQL, with the columns pools had then: the schema of today has more.
      const settings = buildPoolAttributeSettings({ aliasAttributes: ['email', 'preferred_username'] });
      await db.execute(
        sql`insert into pools (id, name, attribute_settings, policies) values (${pool}, ${pool}, ${JSON.stringify(settings)}::jsonb, ${JSON.stringify(resolvePolicies())}::jsonb)`,
      );
      const user = async (username: string, minutesAgo: number) => {
        const id = randomUUID();
        await db.execute(
          sql`insert into users (id, pool_id, username, username_key, status, created_at) values (${id}, ${pool}, ${username}, ${username}, 'CONFIRMED', now() - make_interval(mins => ${minutesAgo}))`,
        );
        return id;
      };
      const alias = (userId: string, name: string, value: string, key: string, verified: boolean | null) =>
        db.insert(userAttributes).values({ userId, poolId: pool, name, value, verified, aliasKey: key });
      // What the old per-attribute index let through (the keys as the old code made them).
      const mallory = await user('mallory', 30);
      const zed = await user('zed', 20);
      await alias(mallory, 'preferred_username', 'zed@example.com', 'zed@example.com', null);
      await alias(zed, 'email', 'zed@example.com', 'zed@example.com', true);
      const dave = await user('dave', 10);
      const dave2 = await user('dave2', 5);
      await alias(dave, 'email', 'dave@example.com', 'dave@example.com', true);
      await alias(dave2, 'email', 'dave@ＥＸＡＭＰＬＥ．ＣＯＭ', 'dave@ｅｘａｍｐｌｅ．ｃｏｍ', true);
      const bob = await user('bob', 40);
      const carol = await user('carol', 50);
      await alias(carol, 'preferred_username', 'bob', 'bob', null);

      await database.migrate();

      const names = await db.select().from(signInNames).where(eq(signInNames.poolId, pool));
      const owner = (key: string) => names.filter((n) => n.nameKey === key).map((n) => [n.userId, n.source]);
      assert.deepEqual(
        owner('zed@example.com'),
        [[zed, 'email']],
        'a verified email wins over an earlier preferred_username',
      );
      assert.deepEqual(
        owner('dave@example.com'),
        [[dave, 'email']],
        'full-width look-alike keys are normalised, the earliest user keeps the name',
      );
      assert.deepEqual(owner('bob'), [[bob, 'username']], 'a username is never released');
      assert.equal(names.length, 8, 'six usernames and the two aliases kept');

      const state = async (userId: string, name: string) =>
        (
          await db
            .select()
            .from(userAttributes)
            .where(and(eq(userAttributes.userId, userId), eq(userAttributes.name, name)))
        )[0]!;
      assert.deepEqual([(await state(dave2, 'email')).aliasKey, (await state(dave2, 'email')).verified], [null, false]);
      assert.equal((await state(dave2, 'email')).value, 'dave@ＥＸＡＭＰＬＥ．ＣＯＭ', 'the value itself stays');
      assert.equal((await state(mallory, 'preferred_username')).aliasKey, null);
      assert.equal((await state(carol, 'preferred_username')).aliasKey, null);

      const reported = await db
        .select({ userId: auditEvents.userId, actor: auditEvents.actorKind, details: auditEvents.details })
        .from(auditEvents)
        .where(and(eq(auditEvents.poolId, pool), eq(auditEvents.action, 'SIGN_IN_NAME_RELEASED')));
      assert.deepEqual(new Set(reported.map((r) => r.userId)), new Set([mallory, dave2, carol]));
      assert.ok(reported.every((r) => r.actor === 'system'));
      assert.deepEqual(reported.find((r) => r.userId === dave2)!.details, {
        attributes: [{ name: 'email', change: 'alias_released', verified: { from: true, to: false } }],
      });

      // From now on the triggers keep the namespace: the takeover of issue 11 is refused by the database.
      const reclaim = db
        .update(userAttributes)
        .set({ aliasKey: 'zed@example.com' })
        .where(eq(userAttributes.userId, mallory));
      assert.deepEqual(await pgError(reclaim), {
        code: UNIQUE,
        constraint: 'sign_in_names_pkey',
      });
    } finally {
      await database.close();
      await rm(before0005, { recursive: true, force: true });
    }
  });
});
