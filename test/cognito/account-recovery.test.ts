/**
 * AccountRecoverySetting (docs/cognito-settings.md): the recovery channels and their order decide
 * where ForgotPassword's code goes; admin_only refuses self-service reset on both faces, alike for
 * every username; and where existence is hidden, an unknown user's answer looks like a real one's
 * in that pool.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  ListUserPoolsCommand,
  type RecoveryOptionType,
} from '@aws-sdk/client-cognito-identity-provider';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { eventually, mailsTo, newCodeFor, smsTo, uniqueEmail, uniquePhone } from '../support/user-flows.ts';
import { attributeList, expectError } from '../support/sdk-flows.ts';

let t: CognitoTestApp;
before(async () => {
  t = await startCognitoApp();
});
after(() => t.close());

const EMAIL_FIRST: RecoveryOptionType[] = [
  { Name: 'verified_email', Priority: 1 },
  { Name: 'verified_phone_number', Priority: 2 },
];
const PHONE_FIRST: RecoveryOptionType[] = [
  { Name: 'verified_phone_number', Priority: 1 },
  { Name: 'verified_email', Priority: 2 },
];
const ADMIN_ONLY: RecoveryOptionType[] = [{ Name: 'admin_only', Priority: 1 }];
const ADMIN_ONLY_ANSWER = 'Contact administrator to reset password.';

/** A pool with the given mechanisms (none: unset), a client hiding existence and a LEGACY one. */
async function recoveryPool(mechanisms?: RecoveryOptionType[]) {
  const pool = await t.sdk.send(
    new CreateUserPoolCommand({
      PoolName: 'recovery',
      ...(mechanisms && { AccountRecoverySetting: { RecoveryMechanisms: mechanisms } }),
    }),
  );
  const poolId = pool.UserPool!.Id!;
  const client = async (PreventUserExistenceErrors: 'ENABLED' | 'LEGACY') =>
    (
      await t.sdk.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: PreventUserExistenceErrors,
          PreventUserExistenceErrors,
        }),
      )
    ).UserPoolClient!.ClientId!;
  return { poolId, hiding: await client('ENABLED'), legacy: await client('LEGACY') };
}

/** A user an administrator made, with the given attributes marked verified. */
async function userWith(poolId: string, username: string, attributes: { email?: string; phone_number?: string }) {
  const verified = Object.fromEntries(Object.keys(attributes).map((name) => [`${name}_verified`, 'true']));
  await t.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: attributeList({ ...attributes, ...verified }),
    }),
  );
}

const forgot = (ClientId: string, Username: string) => t.sdk.send(new ForgotPasswordCommand({ ClientId, Username }));
const countPools = async () => (await t.sdk.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!.length;

test('AccountRecoverySetting is stored and described on both faces in priority order; unset, Cognate’s default shows', async () => {
  const given = await t.sdk.send(
    new CreateUserPoolCommand({
      PoolName: 'order',
      AccountRecoverySetting: { RecoveryMechanisms: [PHONE_FIRST[1]!, PHONE_FIRST[0]!] },
    }),
  );
  assert.deepEqual(given.UserPool!.AccountRecoverySetting, { RecoveryMechanisms: PHONE_FIRST });
  const described = await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: given.UserPool!.Id }));
  assert.deepEqual(described.UserPool!.AccountRecoverySetting, { RecoveryMechanisms: PHONE_FIRST });
  const rest = await t.admin('GET', `/v1/pools/${given.UserPool!.Id}`);
  assert.deepEqual(rest.body.accountRecoverySetting, {
    recoveryMechanisms: [
      { name: 'verified_phone_number', priority: 1 },
      { name: 'verified_email', priority: 2 },
    ],
  });

  const unset = await t.sdk.send(new CreateUserPoolCommand({ PoolName: 'unset' }));
  assert.deepEqual(unset.UserPool!.AccountRecoverySetting, { RecoveryMechanisms: EMAIL_FIRST });

  const made = await t.admin('POST', '/v1/pools', {
    name: 'rest',
    accountRecoverySetting: { recoveryMechanisms: [{ name: 'admin_only', priority: 1 }] },
  });
  assert.equal(made.status, 201);
  assert.deepEqual(made.body.accountRecoverySetting, { recoveryMechanisms: [{ name: 'admin_only', priority: 1 }] });
  assert.deepEqual(
    (await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: made.body.id }))).UserPool!.AccountRecoverySetting,
    { RecoveryMechanisms: ADMIN_ONLY },
  );
  assert.deepEqual((await t.admin('POST', '/v1/pools', { name: 'rest' })).body.accountRecoverySetting, {
    recoveryMechanisms: [
      { name: 'verified_email', priority: 1 },
      { name: 'verified_phone_number', priority: 2 },
    ],
  });
});

test('Cognito’s rules for the mechanisms are kept, on both faces, and a refused pool is not made', async () => {
  const before = await countPools();
  const refuse = (RecoveryMechanisms: RecoveryOptionType[], message: string | RegExp) =>
    expectError(
      t.sdk.send(new CreateUserPoolCommand({ PoolName: 'bad', AccountRecoverySetting: { RecoveryMechanisms } })),
      'InvalidParameterException',
      message,
    );
  await refuse(
    [ADMIN_ONLY[0]!, { Name: 'verified_email', Priority: 2 }],
    'AccountRecoverySetting: admin_only cannot be combined with another recovery mechanism.',
  );
  await refuse(
    [
      { Name: 'verified_email', Priority: 1 },
      { Name: 'verified_email', Priority: 2 },
    ],
    'AccountRecoverySetting: each mechanism may be named once.',
  );
  await refuse(
    [
      { Name: 'verified_email', Priority: 1 },
      { Name: 'verified_phone_number', Priority: 1 },
    ],
    'AccountRecoverySetting: two mechanisms cannot have the same Priority.',
  );
  await refuse(
    [...EMAIL_FIRST, { Name: 'admin_only', Priority: 2 }],
    /at 'accountRecoverySetting\.recoveryMechanisms' failed to satisfy constraint: Member must have length less than or equal to 2/,
  );
  await refuse(
    [{ Name: 'verified_email', Priority: 3 }],
    /at 'accountRecoverySetting\.recoveryMechanisms\.1\.member\.priority' failed to satisfy constraint: Member must have value less than or equal to 2/,
  );
  await refuse(
    [{ Name: 'backup_codes' as never, Priority: 1 }],
    /Member must satisfy enum value set: \[verified_email, verified_phone_number, admin_only\]/,
  );
  await refuse([], /Member must have length greater than or equal to 1/);

  const rest = await t.admin('POST', '/v1/pools', {
    name: 'bad',
    accountRecoverySetting: {
      recoveryMechanisms: [
        { name: 'admin_only', priority: 1 },
        { name: 'verified_phone_number', priority: 2 },
      ],
    },
  });
  assert.equal(rest.status, 400);
  assert.match(rest.body.detail, /admin_only cannot be combined/);
  assert.equal(await countPools(), before);
});

test('the code goes to the first channel the user has verified, in the pool’s order', async () => {
  for (const [mechanisms, first] of [
    [PHONE_FIRST, 'SMS'],
    [EMAIL_FIRST, 'EMAIL'],
    [undefined, 'EMAIL'],
  ] as const) {
    const { poolId, legacy, hiding } = await recoveryPool(mechanisms);
    const email = uniqueEmail('order');
    const phone = uniquePhone();
    await userWith(poolId, 'both', { email, phone_number: phone });
    for (const clientId of [legacy, hiding]) {
      const [mails, sms] = [mailsTo(t, email), smsTo(t, phone)];
      const answer = await forgot(clientId, 'both');
      assert.equal(answer.CodeDeliveryDetails!.DeliveryMedium, first, `${JSON.stringify(mechanisms)}: ${first} first`);
      assert.equal(
        answer.CodeDeliveryDetails!.Destination,
        first === 'SMS' ? `+********${phone.slice(-4)}` : `${email[0]}***@e***`,
      );
      // Hidden existence sends after answering: wait for the code where it must go, then check the other channel got none.
      const code =
        first === 'SMS'
          ? (await eventually(() => smsTo(t, phone) === sms + 1), t.smsCodeFor(phone))
          : await newCodeFor(t, email, mails);
      assert.equal(
        first === 'SMS' ? mailsTo(t, email) : smsTo(t, phone),
        first === 'SMS' ? mails : sms,
        'nothing on the other channel',
      );
      await t.sdk.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: 'both',
          ConfirmationCode: code,
          Password: 'Reset-passw0rd!',
        }),
      );
    }
  }

  // A single channel: a user verified only on the other one has nowhere to receive the code.
  const phoneOnly = await recoveryPool([{ Name: 'verified_phone_number', Priority: 1 }]);
  const email = uniqueEmail('emailonly');
  await userWith(phoneOnly.poolId, 'emailonly', { email });
  await expectError(
    forgot(phoneOnly.legacy, 'emailonly'),
    'InvalidParameterException',
    'Cannot reset password for the user as there is no registered/verified email or phone_number',
  );
  const emailOnly = await recoveryPool([{ Name: 'verified_email', Priority: 1 }]);
  const phone = uniquePhone();
  await userWith(emailOnly.poolId, 'phoneonly', { phone_number: phone });
  await expectError(
    forgot(emailOnly.legacy, 'phoneonly'),
    'InvalidParameterException',
    'Cannot reset password for the user as there is no registered/verified email or phone_number',
  );
  assert.equal(mailsTo(t, email) + smsTo(t, phone), 0, 'nothing was sent');
});

test('admin_only: self-service reset is refused to everyone alike, on both faces, and nothing is sent', async () => {
  const { poolId, hiding, legacy } = await recoveryPool(ADMIN_ONLY);
  const email = uniqueEmail('admin-only');
  await userWith(poolId, 'real', { email });
  await userWith(poolId, 'disabled', { email: uniqueEmail('disabled') });
  await t.sdk.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'disabled' }));
  const sent = t.smtp.messages.length + t.twilio.messages.length;

  for (const clientId of [hiding, legacy]) {
    for (const username of ['real', email, 'disabled', 'nobody', 'nobody@example.com']) {
      await expectError(forgot(clientId, username), 'NotAuthorizedException', ADMIN_ONLY_ANSWER);
      const rest = await t.call('POST', '/v1/auth/forgot-password', { clientId, username });
      assert.equal(rest.status, 403, `${username}: ${JSON.stringify(rest.body)}`);
      assert.equal(rest.body.code, 'NotAuthorizedException');
      assert.equal(rest.body.detail, ADMIN_ONLY_ANSWER);
    }
  }
  // Nor can a code be guessed into a reset: none was ever issued.
  await expectError(
    t.sdk.send(
      new ConfirmForgotPasswordCommand({
        ClientId: legacy,
        Username: 'real',
        ConfirmationCode: '123456',
        Password: 'Reset-passw0rd!',
      }),
    ),
    'ExpiredCodeException',
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(t.smtp.messages.length + t.twilio.messages.length, sent, 'nothing was sent');
});

test('hidden existence with a single channel: an unknown user’s answer names that channel, as a real one’s does', async () => {
  const phoneOnly = await recoveryPool([{ Name: 'verified_phone_number', Priority: 1 }]);
  const phone = uniquePhone();
  await userWith(phoneOnly.poolId, 'real', { phone_number: phone, email: uniqueEmail('real') });
  await userWith(phoneOnly.poolId, 'mailed', { email: uniqueEmail('mailed') });
  const real = (await forgot(phoneOnly.hiding, 'real')).CodeDeliveryDetails!;
  assert.deepEqual(real, {
    Destination: `+********${phone.slice(-4)}`,
    DeliveryMedium: 'SMS',
    AttributeName: 'phone_number',
  });
  for (const username of ['ghost', 'ghost@example.com', 'mailed']) {
    const hidden = (await forgot(phoneOnly.hiding, username)).CodeDeliveryDetails!;
    assert.equal(hidden.DeliveryMedium, 'SMS', username);
    assert.equal(hidden.AttributeName, 'phone_number');
    assert.match(hidden.Destination!, /^\+\*{8}\d{4}$/);
    assert.deepEqual(
      (await forgot(phoneOnly.hiding, username)).CodeDeliveryDetails,
      hidden,
      'the same answer every time',
    );
  }
  // A name that is itself a phone number is masked as one, as a real user's number would be.
  assert.equal((await forgot(phoneOnly.hiding, '+15550001234')).CodeDeliveryDetails!.Destination, '+********1234');

  // Email only: even a phone-number name in a pool that verifies phones answers by mail.
  const emailOnly = await t.sdk.send(
    new CreateUserPoolCommand({
      PoolName: 'email-only',
      AutoVerifiedAttributes: ['email', 'phone_number'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    }),
  );
  const hiding = (
    await t.sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: emailOnly.UserPool!.Id,
        ClientName: 'hiding',
        PreventUserExistenceErrors: 'ENABLED',
      }),
    )
  ).UserPoolClient!.ClientId!;
  for (const username of ['+15550001234', 'ghost']) {
    assert.equal((await forgot(hiding, username)).CodeDeliveryDetails!.DeliveryMedium, 'EMAIL', username);
  }
});
