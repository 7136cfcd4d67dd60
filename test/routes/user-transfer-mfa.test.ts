import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { InitiateAuthCommand, RespondToAuthChallengeCommand } from '@aws-sdk/client-cognito-identity-provider';
import { eq } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { pools } from '../../src/db/schema/index.ts';
import { createSealedBox } from '../../src/lib/sealed-box.ts';
import type { MfaConfiguration, PoolMfaFactors } from '../../src/modules/mfa/mfa.types.ts';
import { findUserMfa, upsertUserMfa } from '../../src/modules/mfa/user-mfa.repository.ts';
import { loadCodeHmacSecret } from '../../src/modules/secrets/server-secrets.ts';
import { transferBox } from '../../src/modules/user-store/user-transfer.ts';
import { ADMIN_KEY, PASSWORD, createPoolWithClient, signedInUser, startTestApp, type TestApp } from '../support/app.ts';
import { startCognitoApp } from '../support/cognito.ts';
import { assertProblem, uniqueEmail, uniquePhone } from '../support/user-flows.ts';

// MFA state through export and import, and Cognito's cognito:mfa_enabled (docs/user-import.md, "MFA").

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

const KEY = 'k'.repeat(20) + '-transfer-key-0123456789';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const ALL_FACTORS: PoolMfaFactors = { sms: true, softwareToken: true, email: true };

/** The box the server seals TOTP secrets at rest with (label 'totp secret v1', the server secret). */
async function totpBoxOf(app: TestApp) {
  return createSealedBox(await loadCodeHmacSecret(app.database.db, app.config.codeHmacSecret), 'totp secret v1');
}

async function setPoolMfa(
  app: TestApp,
  poolId: string,
  mfaConfiguration: MfaConfiguration,
  mfaFactors: PoolMfaFactors,
) {
  await app.database.db.update(pools).set({ mfaConfiguration, mfaFactors }).where(eq(pools.id, poolId));
}

async function mfaPool(app: TestApp, mfaConfiguration: MfaConfiguration = 'OPTIONAL', factors = ALL_FACTORS) {
  const created = await createPoolWithClient(app, { autoVerifiedAttributes: ['email'] });
  await setPoolMfa(app, created.poolId, mfaConfiguration, factors);
  return created;
}

async function exportFile(app: TestApp, poolId: string, key?: string) {
  return app.app.inject({
    method: 'GET',
    url: `/v1/pools/${poolId}/users/export`,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(key !== undefined && { 'x-transfer-key': key }) },
  });
}

async function exportLines(app: TestApp, poolId: string, key?: string): Promise<Array<Record<string, any>>> {
  const res = await exportFile(app, poolId, key);
  assert.equal(res.statusCode, 200, res.body);
  return res.body
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function importFile(app: TestApp, poolId: string, type: string, payload: string, key?: string) {
  const res = await app.app.inject({
    method: 'POST',
    url: `/v1/pools/${poolId}/users/import`,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      'content-type': type,
      ...(key !== undefined && { 'x-transfer-key': key }),
    },
    payload,
  });
  return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
}

const jsonl = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

/** A user made through the admin API, then given MFA state in user_mfa as the MFA module writes it. */
async function userWithMfa(
  app: TestApp,
  poolId: string,
  username: string,
  attributes: Record<string, string>,
  mfa?: Parameters<typeof upsertUserMfa>[2],
): Promise<string> {
  const res = await app.admin('POST', `/v1/pools/${poolId}/users`, {
    username,
    messageAction: 'SUPPRESS',
    temporaryPassword: 'Temp-passw0rd',
    userAttributes: attributes,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const sub = res.body.attributes.sub as string;
  if (mfa) await upsertUserMfa(app.database.db, sub, mfa);
  return sub;
}

test('export → import into another deployment keeps every factor and preference; TOTP secrets only move sealed with the transfer key', async () => {
  const { poolId } = await mfaPool(t);
  const box = await totpBoxOf(t);
  const sms = await userWithMfa(
    t,
    poolId,
    'sms',
    { phone_number: uniquePhone() },
    {
      smsEnabled: true,
      preferred: 'SMS_MFA',
    },
  );
  const totp = await userWithMfa(t, poolId, 'tina', { email: uniqueEmail('tina'), email_verified: 'true' }, {});
  await upsertUserMfa(t.database.db, totp, {
    softwareTokenEnabled: true,
    emailEnabled: true,
    preferred: 'SOFTWARE_TOKEN_MFA',
    totpSecret: box.seal(totp, TOTP_SECRET),
    totpDeviceName: 'phone',
    totpLastStep: 58_000_000,
  });
  // A verified secret whose factor is off (VerifySoftwareToken, then SetUserMFAPreference disabled it).
  const idle = await userWithMfa(t, poolId, 'idle', {}, {});
  await upsertUserMfa(t.database.db, idle, { totpSecret: box.seal(idle, TOTP_SECRET) });
  const email = await userWithMfa(
    t,
    poolId,
    'email',
    { email: uniqueEmail('e'), phone_number: uniquePhone() },
    {
      smsEnabled: true,
      emailEnabled: true,
      preferred: null,
    },
  );
  // A pending (unverified) secret is a set-up in progress: it never leaves.
  const pending = await userWithMfa(t, poolId, 'pending', {}, {});
  await upsertUserMfa(t.database.db, pending, { totpPendingSecret: box.seal(pending, TOTP_SECRET) });
  await userWithMfa(t, poolId, 'plain', {});

  // Without a key: factors and preferences, and no trace of any secret.
  const plainExport = await exportFile(t, poolId);
  assert.equal(plainExport.statusCode, 200);
  assert.ok(!plainExport.body.includes(TOTP_SECRET));
  assert.ok(!plainExport.body.includes('"totp"'));
  const withoutKey = new Map(
    plainExport.body
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .map((u: Record<string, any>) => [u.username, u.mfa]),
  );
  assert.deepEqual(Object.fromEntries(withoutKey), {
    sms: { enabled: ['SMS_MFA'], preferred: 'SMS_MFA' },
    tina: { enabled: ['SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'], preferred: 'SOFTWARE_TOKEN_MFA' },
    idle: undefined,
    email: { enabled: ['SMS_MFA', 'EMAIL_OTP'], preferred: null },
    pending: undefined,
    plain: undefined,
  });

  // With the key: the verified secrets, sealed with it (never in clear, never the server's sealed value).
  const keyed = await exportFile(t, poolId, KEY);
  assert.equal(keyed.statusCode, 200);
  assert.ok(!keyed.body.includes(TOTP_SECRET));
  const exported = keyed.body
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const byName = new Map<string, any>(exported.map((u: Record<string, any>) => [u.username, u]));
  const stored = (await findUserMfa(t.database.db, totp))!.totpSecret!;
  assert.ok(!keyed.body.includes(stored));
  assert.equal(byName.get('tina').mfa.totp.deviceName, 'phone');
  assert.equal(byName.get('tina').mfa.totp.lastStep, 58_000_000);
  assert.equal(transferBox(KEY).open(totp, byName.get('tina').mfa.totp.secret), TOTP_SECRET);
  assert.deepEqual(byName.get('idle').mfa, {
    enabled: [],
    preferred: null,
    totp: { secret: byName.get('idle').mfa.totp.secret, deviceName: null, lastStep: null },
  });
  assert.equal(byName.get('pending').mfa, undefined);
  assert.equal(byName.get('sms').mfa.totp, undefined);

  const other = await startTestApp();
  try {
    const target = await mfaPool(other);
    const res = await importFile(other, target.poolId, 'application/x-ndjson', jsonl(exported), KEY);
    assert.deepEqual(res.body, { imported: 6, rejectedCount: 0, rejected: [] });
    // The other deployment seals the secret with its own server key; it opens to the same secret.
    const otherBox = await totpBoxOf(other);
    const moved = (await findUserMfa(other.database.db, totp))!;
    assert.notEqual(moved.totpSecret, stored);
    assert.equal(otherBox.open(totp, moved.totpSecret!), TOTP_SECRET);
    assert.deepEqual(
      {
        sms: moved.smsEnabled,
        softwareToken: moved.softwareTokenEnabled,
        email: moved.emailEnabled,
        preferred: moved.preferred,
        deviceName: moved.totpDeviceName,
        lastStep: moved.totpLastStep,
        pending: moved.totpPendingSecret,
      },
      {
        sms: false,
        softwareToken: true,
        email: true,
        preferred: 'SOFTWARE_TOKEN_MFA',
        deviceName: 'phone',
        lastStep: 58_000_000,
        pending: null,
      },
    );
    assert.equal(otherBox.open(idle, (await findUserMfa(other.database.db, idle))!.totpSecret!), TOTP_SECRET);
    assert.equal((await findUserMfa(other.database.db, sms))!.smsEnabled, true);
    assert.equal(await findUserMfa(other.database.db, pending), undefined);
    // The same file again: re-sealed secrets differ, all else is as it was.
    const strip = (lines: Array<Record<string, any>>) =>
      lines.map((u) => (u.mfa?.totp ? { ...u, mfa: { ...u.mfa, totp: { ...u.mfa.totp, secret: 'sealed' } } } : u));
    assert.deepEqual(strip(await exportLines(other, target.poolId, KEY)), strip(exported));
    assert.equal(await findUserMfa(other.database.db, email).then((r) => r?.preferred), null);
    // The key itself is never logged.
    assert.ok(!JSON.stringify([...t.logs, ...other.logs]).includes(KEY));
  } finally {
    await other.close();
  }
});

test('an export without the key cannot move TOTP users: their rows are refused, the others go; a wrong or short key is refused', async () => {
  const { poolId } = await mfaPool(t);
  const box = await totpBoxOf(t);
  const alice = await userWithMfa(t, poolId, 'alice', {}, {});
  await upsertUserMfa(t.database.db, alice, {
    softwareTokenEnabled: true,
    preferred: 'SOFTWARE_TOKEN_MFA',
    totpSecret: box.seal(alice, TOTP_SECRET),
  });
  await userWithMfa(t, poolId, 'bob', { phone_number: uniquePhone() }, { smsEnabled: true });
  const bare = await exportLines(t, poolId);
  const keyed = await exportLines(t, poolId, KEY);

  // Users must be imported into another deployment (subs are kept): delete them here first.
  for (const name of ['alice', 'bob'])
    assert.equal((await t.admin('DELETE', `/v1/pools/${poolId}/users/${name}`)).status, 204);

  const target = await mfaPool(t);
  const res = await importFile(t, target.poolId, 'application/x-ndjson', jsonl(bare));
  assert.equal(res.status, 200);
  assert.equal(res.body.imported, 1);
  assert.deepEqual(res.body.rejected, [
    {
      line: bare.findIndex((u) => u.username === 'alice') + 1,
      username: 'alice',
      reason:
        'mfa.enabled: SOFTWARE_TOKEN_MFA needs mfa.totp, which only an export with a transfer key has; or leave SOFTWARE_TOKEN_MFA out and the user sets TOTP up again.',
    },
  ]);
  assert.equal((await t.admin('GET', `/v1/pools/${target.poolId}/users/alice`)).status, 404);

  // The file with secrets, but no key or another key: refused by name, nothing written.
  const aliceLine = keyed.find((u) => u.username === 'alice')!;
  const noKey = await importFile(t, target.poolId, 'application/x-ndjson', jsonl([aliceLine]));
  assert.deepEqual(noKey.body.rejected, [
    {
      line: 1,
      username: 'alice',
      reason: 'mfa.totp.secret is sealed with a transfer key: give the export’s key (x-transfer-key).',
    },
  ]);
  const wrongKey = await importFile(t, target.poolId, 'application/x-ndjson', jsonl([aliceLine]), 'w'.repeat(40));
  assert.deepEqual(wrongKey.body.rejected, [
    { line: 1, username: 'alice', reason: 'mfa.totp.secret cannot be opened with this transfer key.' },
  ]);
  // A sealed secret cannot be moved to another user's line (the sub is its associated data).
  const stolen = { ...aliceLine, username: 'mallory', sub: crypto.randomUUID() };
  const moved = await importFile(t, target.poolId, 'application/x-ndjson', jsonl([stolen]), KEY);
  assert.deepEqual(moved.body.rejected, [
    { line: 1, username: 'mallory', reason: 'mfa.totp.secret cannot be opened with this transfer key.' },
  ]);
  assert.equal((await t.admin('GET', `/v1/pools/${target.poolId}/users/mallory`)).status, 404);
  // A short key refuses the whole request before anything is read or written, on both routes.
  assertProblem(
    await importFile(t, target.poolId, 'application/x-ndjson', jsonl([aliceLine]), 'short'),
    400,
    'InvalidParameterException',
  );
  const shortExport = await exportFile(t, poolId, 'short');
  assert.equal(shortExport.statusCode, 400, shortExport.body);
  assert.equal(JSON.parse(shortExport.body).code, 'InvalidParameterException');

  // With the key, alice arrives with her secret.
  const good = await importFile(t, target.poolId, 'application/x-ndjson', jsonl([aliceLine]), KEY);
  assert.deepEqual(good.body, { imported: 1, rejectedCount: 0, rejected: [] });
  assert.equal(box.open(alice, (await findUserMfa(t.database.db, alice))!.totpSecret!), TOTP_SECRET);
});

test('JSON Lines: MFA the target pool cannot honour is refused row by row, nothing of the row written', async () => {
  // The pool offers SMS and TOTP, not email.
  const { poolId } = await mfaPool(t, 'OPTIONAL', { sms: true, softwareToken: true });
  const off = await mfaPool(t, 'OFF', ALL_FACTORS);
  const row = (username: string, mfa: unknown, attributes: Record<string, string> = {}) => ({
    username,
    sub: crypto.randomUUID(),
    status: 'CONFIRMED',
    enabled: true,
    attributes,
    passwordHash: null,
    mfa,
  });
  const phone = { phone_number: uniquePhone() };
  const lines = [
    row('ok', { enabled: ['SMS_MFA'], preferred: 'SMS_MFA' }, phone),
    row('noemailfactor', { enabled: ['EMAIL_OTP'], preferred: null }, { email: uniqueEmail('n') }),
    row('nophone', { enabled: ['SMS_MFA'], preferred: null }),
    row('notenabled', { enabled: ['SMS_MFA'], preferred: 'SOFTWARE_TOKEN_MFA' }, phone),
    row('unknown', { enabled: ['VOICE_MFA'], preferred: null }),
    row('twice', { enabled: ['SMS_MFA', 'SMS_MFA'], preferred: null }, phone),
    row('extra', { enabled: [], preferred: null, backupCodes: [] }),
    row('notobject', 'SMS_MFA'),
    row('badpreferred', { enabled: ['SMS_MFA'], preferred: 'sms' }, phone),
    row('badtotp', { enabled: [], preferred: null, totp: { secret: 'v1.AAAA', lastStep: -1 } }),
    row('nosecret', { enabled: ['SOFTWARE_TOKEN_MFA'], preferred: 'SOFTWARE_TOKEN_MFA' }),
  ].map((r) => ({ ...r, passwordHash: null, status: 'RESET_REQUIRED' }));
  const res = await importFile(t, poolId, 'application/x-ndjson', jsonl(lines), KEY);
  assert.equal(res.status, 200);
  assert.equal(res.body.imported, 1);
  assert.deepEqual(
    res.body.rejected.map((r: { username: string; reason: string }) => [r.username, r.reason]),
    [
      ['noemailfactor', 'mfa.enabled: EMAIL_OTP is not offered by this pool (MfaConfiguration OPTIONAL).'],
      ['nophone', "mfa.enabled: SMS_MFA needs the user's phone_number."],
      ['notenabled', 'mfa.preferred: SOFTWARE_TOKEN_MFA is not in mfa.enabled.'],
      ['unknown', 'mfa.enabled must be a list of distinct factors among SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP.'],
      ['twice', 'mfa.enabled must be a list of distinct factors among SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP.'],
      ['extra', 'Unknown field: mfa.backupCodes'],
      ['notobject', 'mfa must be an object.'],
      ['badpreferred', 'mfa.preferred must be one of SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, or null.'],
      ['badtotp', 'mfa.totp.lastStep must be a non-negative integer, or null.'],
      [
        'nosecret',
        'mfa.enabled: SOFTWARE_TOKEN_MFA needs mfa.totp, which only an export with a transfer key has; or leave SOFTWARE_TOKEN_MFA out and the user sets TOTP up again.',
      ],
    ],
  );
  for (const r of lines.slice(1)) assert.equal(await findUserMfa(t.database.db, r.sub), undefined);
  for (const name of ['nophone', 'unknown', 'nosecret'])
    assert.equal((await t.admin('GET', `/v1/pools/${poolId}/users/${name}`)).status, 404);
  assert.equal((await findUserMfa(t.database.db, lines[0]!.sub))!.smsEnabled, true);

  // A pool with MFA OFF offers no factor, whatever its factors say; a user without MFA still goes.
  const offRes = await importFile(
    t,
    off.poolId,
    'application/x-ndjson',
    jsonl(
      [row('a', { enabled: ['SMS_MFA'], preferred: null }, phone), row('b', { enabled: [], preferred: null })].map(
        (r) => ({ ...r, status: 'RESET_REQUIRED' }),
      ),
    ),
  );
  assert.equal(offRes.body.imported, 1);
  assert.deepEqual(offRes.body.rejected, [
    { line: 1, username: 'a', reason: 'mfa.enabled: SMS_MFA is not offered by this pool (MfaConfiguration OFF).' },
  ]);
});

const HEADER = 'cognito:username,name,email,email_verified,phone_number,phone_number_verified,cognito:mfa_enabled';

test('Cognito CSV: cognito:mfa_enabled true turns SMS MFA on (needs phone_number), false or blank leaves none; what cannot be honoured is refused by line', async () => {
  const { poolId, clientId } = await mfaPool(t, 'OPTIONAL', { sms: true });
  const phone = uniquePhone();
  const csv = [
    HEADER,
    `amy,Amy,${uniqueEmail('amy')},true,${phone},false,TRUE`,
    `ben,Ben,${uniqueEmail('ben')},true,,,false`,
    `cal,Cal,${uniqueEmail('cal')},true,,,true`,
    `dot,Dot,${uniqueEmail('dot')},true,${uniquePhone()},true,yes`,
    `eve,Eve,${uniqueEmail('eve')},true,${uniquePhone()},true,`,
  ].join('\n');
  const res = await importFile(t, poolId, 'text/csv', csv);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.imported, 3);
  assert.deepEqual(res.body.rejected, [
    { line: 4, username: 'cal', reason: 'cognito:mfa_enabled is true but phone_number is empty: SMS MFA needs one.' },
    { line: 5, username: 'dot', reason: 'cognito:mfa_enabled must be true or false.' },
  ]);
  const lines = await exportLines(t, poolId);
  const mfaOf = Object.fromEntries(lines.map((u) => [u.username, u.mfa]));
  assert.deepEqual(mfaOf, {
    amy: { enabled: ['SMS_MFA'], preferred: 'SMS_MFA' },
    ben: undefined,
    eve: undefined,
  });
  const amy = lines.find((u) => u.username === 'amy')!;
  const stored = (await findUserMfa(t.database.db, amy.sub))!;
  assert.equal(stored.smsEnabled, true);
  assert.equal(stored.softwareTokenEnabled, false);
  assert.equal(stored.totpSecret, null);
  // Amy is RESET_REQUIRED like every CSV user: MFA does not let anyone past the missing password.
  const legacy = await t.admin('POST', `/v1/pools/${poolId}/clients`, {
    name: 'legacy',
    preventUserExistenceErrors: false,
  });
  assertProblem(
    await t.call('POST', '/v1/auth/sign-in', { clientId: legacy.body.clientId, username: 'amy', password: PASSWORD }),
    403,
    'PasswordResetRequiredException',
  );
  assert.ok(clientId);

  // A pool that does not offer SMS MFA refuses those rows by line; the others still import.
  const noSms = await mfaPool(t, 'OPTIONAL', { softwareToken: true });
  const refused = await importFile(
    t,
    noSms.poolId,
    'text/csv',
    [
      HEADER,
      `fay,Fay,${uniqueEmail('fay')},true,${uniquePhone()},true,true`,
      `gus,Gus,${uniqueEmail('gus')},true,,,false`,
    ].join('\n'),
  );
  assert.equal(refused.body.imported, 1);
  assert.deepEqual(refused.body.rejected, [
    {
      line: 2,
      username: 'fay',
      reason: 'mfa.enabled: SMS_MFA is not offered by this pool (MfaConfiguration OPTIONAL).',
    },
  ]);
  assert.equal((await t.admin('GET', `/v1/pools/${noSms.poolId}/users/fay`)).status, 404);
});

/** RFC 6238 as authenticator apps compute it (SHA-1, 6 digits, 30 s), for time step `step`. */
const codeAt = (step: number) =>
  new TOTP({ secret: Secret.fromBase32(TOTP_SECRET), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: step * 30_000,
  });

test('a TOTP user moved with the key signs in on the other deployment with codes from the same authenticator; a code used before the move is not taken again', async () => {
  const source = await mfaPool(t, 'OPTIONAL', { softwareToken: true });
  await signedInUser(t, source.clientId, 'tess', { email: uniqueEmail('tess') });
  const sub = (await t.admin('GET', `/v1/pools/${source.poolId}/users/tess`)).body.attributes.sub as string;
  // Her last accepted code was the current step's, just before the move.
  const step = Math.floor(Date.now() / 30_000);
  await upsertUserMfa(t.database.db, sub, {
    softwareTokenEnabled: true,
    preferred: 'SOFTWARE_TOKEN_MFA',
    totpSecret: (await totpBoxOf(t)).seal(sub, TOTP_SECRET),
    totpLastStep: step,
  });
  const file = jsonl(await exportLines(t, source.poolId, KEY));

  const other = await startCognitoApp();
  try {
    const target = await mfaPool(other, 'OPTIONAL', { softwareToken: true });
    assert.deepEqual((await importFile(other, target.poolId, 'application/x-ndjson', file, KEY)).body, {
      imported: 1,
      rejectedCount: 0,
      rejected: [],
    });
    const signIn = () =>
      other.sdk.send(
        new InitiateAuthCommand({
          ClientId: target.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'tess', PASSWORD },
        }),
      );
    const answer = (session: string | undefined, code: string) =>
      other.sdk.send(
        new RespondToAuthChallengeCommand({
          ClientId: target.clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: session,
          ChallengeResponses: { USERNAME: 'tess', SOFTWARE_TOKEN_MFA_CODE: code },
        }),
      );
    const first = await signIn();
    assert.equal(first.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    await assert.rejects(answer(first.Session, codeAt(step)), { name: 'CodeMismatchException' });
    const second = await signIn();
    assert.equal(second.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    const done = await answer(second.Session, codeAt(step + 1));
    assert.ok(done.AuthenticationResult?.AccessToken, JSON.stringify(done));
  } finally {
    await other.close();
  }
});
