import pg from 'pg';

/** One HTTP exchange as the load saw it: an `error` (refused, aborted at the bound) instead of a status when there was no answer. */
export interface Exchange {
  op: 'sign-up' | 'sign-in' | 'patch';
  status?: number;
  error?: string;
  contentType?: string;
  body?: any;
  startedAt: number;
  endedAt: number;
}

export async function http(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number; body: any; contentType: string; text: string }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    ...(options.body !== undefined && {
      body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: response.status, body, contentType: response.headers.get('content-type') ?? '', text };
}

/** Every write the load asked for, with what the server answered. */
export interface Journal {
  exchanges: Exchange[];
  /** Sign-ups by username: true when answered 201, false when answered otherwise or not at all. */
  signUps: Map<string, boolean>;
  /** Per signed-in user, the nickname values PATCHed in order, each with whether it was acknowledged (200). */
  patches: Map<string, { value: string; acked: boolean }[]>;
}

export interface LoadUser {
  username: string;
  accessToken: string;
}

/**
 * Bounded loops, one per user, each doing a sign-up of a new user, a sign-in and a PATCH of
 * the user's nickname in turn, one request at a time, until `stop()` says so, the deadline
 * passes or `maxRounds` rounds are done. Each request is bounded by `requestTimeoutMs`.
 */
export async function runWriteLoad(options: {
  base: string;
  clientId: string;
  password: string;
  users: LoadUser[];
  prefix: string;
  stop: () => boolean;
  deadline: number;
  maxRounds: number;
  requestTimeoutMs?: number;
  /** Sign up with an email too, so each sign-up writes a code and an outbox message (the pool must auto-verify email). */
  email?: boolean;
  journal?: Journal;
}): Promise<Journal> {
  const journal: Journal = options.journal ?? { exchanges: [], signUps: new Map(), patches: new Map() };
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const record = async (op: Exchange['op'], path: string, method: string, body: unknown, token?: string) => {
    const startedAt = Date.now();
    try {
      const r = await http(options.base, method, path, { body, token, timeoutMs });
      const exchange: Exchange = {
        op,
        status: r.status,
        contentType: r.contentType,
        body: r.body,
        startedAt,
        endedAt: Date.now(),
      };
      journal.exchanges.push(exchange);
      return exchange;
    } catch (error) {
      const exchange: Exchange = {
        op,
        error: (error as Error).name + ': ' + (error as Error).message,
        startedAt,
        endedAt: Date.now(),
      };
      journal.exchanges.push(exchange);
      return exchange;
    }
  };
  await Promise.all(
    options.users.map(async (user, u) => {
      // A journal carried over from an earlier run goes on with the same histories.
      const history = journal.patches.get(user.username) ?? [];
      journal.patches.set(user.username, history);
      for (let round = 0; round < options.maxRounds && !options.stop() && Date.now() < options.deadline; round++) {
        const username = `${options.prefix}-${u}-${round}`;
        const signUp = await record('sign-up', '/v1/sign-up', 'POST', {
          clientId: options.clientId,
          username,
          password: options.password,
          userAttributes: { nickname: username, ...(options.email && { email: `${username}@example.com` }) },
        });
        journal.signUps.set(username, signUp.status === 201);
        await record('sign-in', '/v1/auth/sign-in', 'POST', {
          clientId: options.clientId,
          username: user.username,
          password: options.password,
        });
        const value = `${options.prefix}-${round}`;
        const patch = await record(
          'patch',
          '/v1/me/attributes',
          'PATCH',
          { userAttributes: { nickname: value } },
          user.accessToken,
        );
        history.push({ value, acked: patch.status === 200 });
      }
    }),
  );
  return journal;
}

export interface JournalCheck {
  /** Acknowledged sign-ups whose user is not in the database: must be empty. */
  ackedSignUpsMissing: string[];
  /** Sign-ups answered with an error whose user is in the database anyway (a commit that raced the failure). */
  failedSignUpsPresent: string[];
  /** Users whose stored nickname is neither the last acknowledged value nor a later unacknowledged one: must be empty. */
  patchesLost: { username: string; stored: string | null; lastAcked: string | null }[];
  /** Users whose stored nickname is a value answered with an error (a commit that raced the failure). */
  failedPatchesPresent: string[];
}

/** Reads what is committed, over a connection of its own, and compares it with the journal. */
export async function checkJournal(url: string, poolId: string, journal: Journal): Promise<JournalCheck> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ username: string; nickname: string | null }>(
      `select u.username, a.value as nickname from users u
         left join user_attributes a on a.user_id = u.id and a.name = 'nickname'
        where u.pool_id = $1`,
      [poolId],
    );
    const stored = new Map(rows.map((r) => [r.username, r.nickname]));
    const check: JournalCheck = {
      ackedSignUpsMissing: [],
      failedSignUpsPresent: [],
      patchesLost: [],
      failedPatchesPresent: [],
    };
    for (const [username, acked] of journal.signUps) {
      if (acked && !stored.has(username)) check.ackedSignUpsMissing.push(username);
      if (!acked && stored.has(username)) check.failedSignUpsPresent.push(username);
    }
    for (const [username, history] of journal.patches) {
      const value = stored.get(username) ?? null;
      const lastAckedAt = history.findLastIndex((h) => h.acked);
      const allowed = history.slice(lastAckedAt < 0 ? 0 : lastAckedAt).map((h) => h.value);
      const lastAcked = lastAckedAt < 0 ? null : history[lastAckedAt]!.value;
      // Nothing acknowledged: the seeded value or any value tried may be there.
      if (
        lastAckedAt < 0 ? value !== null && !allowed.includes(value) && value !== username : !allowed.includes(value!)
      ) {
        check.patchesLost.push({ username, stored: value, lastAcked });
      } else if (value !== lastAcked && history.some((h) => !h.acked && h.value === value)) {
        check.failedPatchesPresent.push(username);
      }
    }
    return check;
  } finally {
    await client.end();
  }
}
