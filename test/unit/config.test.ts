import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  test('nothing is needed: embedded database under ./data, port 3000 on loopback, strong hashing', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.publicUrl, 'http://127.0.0.1:3000');
    assert.deepEqual(config.database, { kind: 'pglite', dataDir: path.resolve('./data') });
    assert.deepEqual(config.passwordHashing, { memoryCostKiB: 19456, timeCost: 2, parallelism: 1 });
    assert.equal(config.adminApiKey, undefined);
    assert.equal(config.smtpUrl, undefined);
  });

  test('DATABASE_URL selects PostgreSQL; PUBLIC_URL loses its trailing slash', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/cognate',
      PUBLIC_URL: 'https://id.example.com/',
    });
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://u:p@db:5432/cognate', poolSize: 10 });
    assert.equal(config.publicUrl, 'https://id.example.com');
  });

  test('DATABASE_REPLICA_URL: a replica beside DATABASE_URL; refused without it, or when not PostgreSQL', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db/cognate',
      DATABASE_REPLICA_URL: 'postgres://u:p@replica/cognate',
    });
    assert.deepEqual(config.database, {
      kind: 'postgres',
      url: 'postgres://u:p@db/cognate',
      poolSize: 10,
      replicaUrl: 'postgres://u:p@replica/cognate',
    });
    assert.deepEqual(problemsOf({ DATABASE_REPLICA_URL: 'postgres://u:p@replica/cognate' }), [
      'DATABASE_REPLICA_URL needs DATABASE_URL (the embedded database has no replica)',
    ]);
    assert.match(
      problemsOf({ DATABASE_URL: 'postgres://u:p@db/cognate', DATABASE_REPLICA_URL: 'mysql://x' }).join('\n'),
      /DATABASE_REPLICA_URL must be a postgres:\/\/ or postgresql:\/\/ URL/,
    );
  });

  test('DATABASE_NAMED_STATEMENTS: off by default (pooler-safe); on only with DATABASE_URL', () => {
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://u:p@db/cognate' }).database.kind, 'postgres');
    assert.deepEqual(
      loadConfig({ DATABASE_URL: 'postgres://u:p@db/cognate', DATABASE_NAMED_STATEMENTS: 'true' }).database,
      {
        kind: 'postgres',
        url: 'postgres://u:p@db/cognate',
        poolSize: 10,
        namedStatements: true,
      },
    );
    assert.deepEqual(problemsOf({ DATABASE_NAMED_STATEMENTS: 'true' }), [
      'DATABASE_NAMED_STATEMENTS needs DATABASE_URL (it is about PostgreSQL connections)',
    ]);
  });

  test('each bad variable gets its own clear message, all at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      SMTP_URL: 'not a url',
      ADMIN_API_KEY: 'short',
      ARGON2_MEMORY_KIB: '12',
      ALLOW_LOG_DELIVERY: 'maybe',
    });
    assert.equal(problems.length, 6);
    assert.match(problems.join('\n'), /PORT must be a whole number from 0 to 65535 \(got "eighty"\)/);
    assert.match(problems.join('\n'), /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
    assert.match(problems.join('\n'), /SMTP_URL is not a valid URL/);
    assert.match(problems.join('\n'), /ADMIN_API_KEY must be at least 24 characters/);
    assert.match(problems.join('\n'), /ARGON2_MEMORY_KIB must be a whole number from 1024/);
    assert.match(problems.join('\n'), /ALLOW_LOG_DELIVERY must be true or false/);
  });

  test('production refuses to start while codes would only reach the log, unless told so', () => {
    assert.match(problemsOf({ NODE_ENV: 'production' })[0]!, /codes would only be written to the log/);
    assert.equal(loadConfig({ NODE_ENV: 'production', ALLOW_LOG_DELIVERY: 'true' }).allowLogDelivery, true);
    assert.equal(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail:25' }).production, true);
  });

  test('TRUST_PROXY: none by default; a number of hops or proxy addresses and CIDRs; never "believe anyone"', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.10,::1' }).trustProxy, [
      '10.0.0.0/8',
      '192.0.2.10',
      '::1',
    ]);
    assert.deepEqual(loadConfig({ TRUST_PROXY: 'loopback,uniquelocal' }).trustProxy, ['loopback', 'uniquelocal']);
    for (const bad of ['true', 'local', '10.0.0.0/8,nope', '99'])
      assert.match(problemsOf({ TRUST_PROXY: bad })[0]!, /TRUST_PROXY must be/, bad);
  });
});
