/**
 * The embedded database's own path (docs/performance.md, "The embedded database"): PGlite on a
 * thread of its own, reached through node-postgres over EmbeddedConnection, its statement cache,
 * and a fresh data directory made by a process of its own. PGlite only: on PostgreSQL none of
 * this is in the path.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { uniqueViolation } from '../../src/db/errors.ts';
import { rows } from '../../src/db/results.ts';
import { onPostgres } from '../support/database.ts';

const skip = onPostgres && 'the embedded database only';

describe('the embedded database through node-postgres', { skip }, () => {
  let database: Database;
  before(async () => {
    database = await openDatabase({ kind: 'pglite' });
    await database.db.execute(sql`create table things (id int primary key, name text not null unique)`);
  });
  after(() => database?.close());

  const count = async (text = 'select count(*)::int as n from things') =>
    (rows(await database.db.execute(sql.raw(text)))[0] as { n: number }).n;
  const prepared = async () =>
    (
      rows(
        await database.db.execute(
          sql`select count(*)::int as n from pg_prepared_statements where name like 'cognate_embedded_%'`,
        ),
      )[0] as { n: number }
    ).n;

  test('a failed transaction rolls back and the session goes on', async () => {
    await assert.rejects(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into things values (1, 'one')`);
        await tx.execute(sql`insert into things values (1, 'again')`);
      }),
    );
    assert.equal(await count(), 0);
    await database.db.execute(sql`insert into things values (${2}, ${'two'})`);
    assert.equal(await count(), 1);
  });

  test("PostgreSQL's error fields reach the caller (a unique violation's constraint)", async () => {
    const error = await database.db.execute(sql`insert into things values (${3}, ${'two'})`).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal(uniqueViolation(error), 'things_name_key');
  });

  test('a client dropped inside a transaction leaves nothing open for the next one', async () => {
    const pool = (database.db as unknown as { $client: pg.Pool }).$client;
    const client = await pool.connect();
    await client.query('begin');
    await client.query(`insert into things values (10, 'uncommitted')`);
    // Released with an error: the pool discards the client, as it would after a lost connection.
    client.release(new Error('dropped'));
    assert.equal(await count(`select count(*)::int as n from things where id = 10`), 0);
    const [status] = rows(await database.db.execute(sql`select now() = statement_timestamp() as outside`));
    assert.equal((status as { outside: boolean }).outside, true, 'the next statement runs outside any transaction');
  });

  test('a statement seen before is bound to the one prepared for it, not parsed again', async () => {
    const before = await prepared();
    for (let i = 0; i < 5; i++) await database.db.execute(sql`select name from things where id = ${i} -- probe`);
    assert.equal(await prepared(), before + 1);
  });

  test('a statement that fails to parse is not cached, and fails the same way again', async () => {
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        database.db.execute(sql`select nme from things where id = ${i}`),
        (error: Error & { cause?: { message?: string } }) =>
          /column "nme" does not exist/.test(error.cause?.message ?? ''),
      );
    }
    const [held] = rows(
      await database.db.execute(
        sql`select count(*)::int as n from pg_prepared_statements where statement like '%nme%'`,
      ),
    );
    assert.equal((held as { n: number }).n, 0);
    await database.db.execute(sql`select name from things where id = ${1}`);
  });

  test('the cache keeps at most 256 statements, closing the least recently used', async () => {
    // 300 texts that differ only in a comment: 300 statements to the cache.
    for (let i = 0; i < 300; i++) await database.db.execute(sql`select ${i}::int as n ${sql.raw(`-- ${i}`)}`);
    const held = await prepared();
    assert.ok(held <= 256 && held >= 200, `${held} statements prepared`);
  });
});

test(
  'a fresh data directory is created and migrated by a process of its own, then opened ready',
  { skip },
  async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cognate-embedded-'));
    try {
      const database = await openDatabase({ kind: 'pglite', dataDir: dir });
      try {
        assert.ok(existsSync(path.join(dir, 'PG_VERSION')));
        // No migrate() here: the process that made the directory applied them.
        await database.ready();
      } finally {
        await database.close();
      }
      // A later open finds it and makes nothing anew.
      const again = await openDatabase({ kind: 'pglite', dataDir: dir });
      await again.ready();
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
