/**
 * The raw baseline for the attribute benchmarks: a bare Fastify + pg server doing the least that
 * answers the same request. The "token" is the user's id itself (no JWT, no session check), and
 * each request is one statement on a pg.Pool as large as Cognate's default (DATABASE_POOL_SIZE 10).
 *
 *   GET   /v1/me/attributes  -> select the user's attribute rows, answer them as Cognate's map
 *   PATCH /v1/me/attributes  -> update one row (the attribute named in the body), answer {}
 *
 * Environment: DATABASE_URL, PORT. Prints "listening" once it is.
 */
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
});
const app = Fastify({ logger: false });

app.get('/health/live', async () => ({ status: 'ok' }));

const userOf = (authorization: string | undefined) => authorization?.slice('Bearer '.length) ?? '';

app.get('/v1/me/attributes', async (request) => {
  const userId = userOf(request.headers.authorization);
  const { rows } = await pool.query<{ name: string; value: string; verified: boolean | null }>(
    'select name, value, verified from user_attributes where user_id = $1',
    [userId],
  );
  const map: Record<string, string> = { sub: userId };
  for (const row of rows) {
    map[row.name] = row.value;
    if (row.verified !== null) map[`${row.name}_verified`] = String(row.verified);
  }
  return map;
});

app.patch<{ Body: { userAttributes: Record<string, string> } }>('/v1/me/attributes', async (request) => {
  const userId = userOf(request.headers.authorization);
  const [[name, value]] = Object.entries(request.body.userAttributes) as [[string, string]];
  await pool.query('update user_attributes set value = $3 where user_id = $1 and name = $2', [userId, name, value]);
  return {};
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('listening\n');
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
