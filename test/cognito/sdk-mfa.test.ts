/**
 * Multi-factor authentication through the real AWS SDK v3 (docs/mfa.md): the pool's setting
 * (CreateUserPool, SetUserPoolMfaConfig, GetUserPoolMfaConfig, DescribeUserPool), TOTP
 * (AssociateSoftwareToken, VerifySoftwareToken) with codes computed here by RFC 6238, a user's
 * factors (SetUserMFAPreference, AdminSetUserMFAPreference, GetUser, AdminGetUser), and the
 * challenges SMS_MFA (Twilio stand-in), EMAIL_OTP (SMTP capture), SOFTWARE_TOKEN_MFA,
 * SELECT_MFA_TYPE and MFA_SETUP on the password, SRP and NEW_PASSWORD_REQUIRED paths; bad cases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpSession, signSrpSession } from 'cognito-srp-helper';
import { Secret, TOTP } from 'otpauth';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { startHookServer, type HookRequest } from '../support/hook-server.ts';
import { expectError, PASSWORD } from '../support/sdk-flows.ts';
import { mailsTo, newCodeFor, otherCode, uniqueEmail, uniquePhone } from '../support/user-flows.ts';

let t: CognitoTestApp;
let poolId: string;
let clientId: string;

/** RFC 6238 code for `secret`, `steps` 30-second steps from now (the server accepts one step either side). */
const totp = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: Date.now() + steps * 30_000,
  });

before(async () => {
  t = await startCognitoApp();
  const { UserPool } = await t.sdk.send(
    new CreateUserPoolCommand({
      PoolName: 'mfa',
      AutoVerifiedAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
      SmsAuthenticationMessage: 'Your MFA code: {####}',
    }),
  );
  poolId = UserPool!.Id!;
  await t.sdk.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      MfaConfiguration: 'OPTIONAL',
      SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your MFA code: {####}' },
      SoftwareTokenMfaConfiguration: { Enabled: true },
      EmailMfaConfiguration: { Subject: 'Your sign-in code', Message: 'Sign-in code: {####}' },
    }),
  );
  clientId = await newClient(poolId);
});
after(() => t?.close());

async function newClient(pool: string) {
  const { UserPoolClient } = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: pool,
      ClientName: 'app',
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  return UserPoolClient!.ClientId!;
}

async function user(name: string, attributes: Record<string, string> = {}, pool = poolId, client = clientId) {
  await t.sdk.send(
    new SignUpCommand({
      ClientId: client,
      Username: name,
      Password: PASSWORD,
      UserAttributes: Object.entries({ email: uniqueEmail(name), ...attributes }).map(([Name, Value]) => ({
        Name,
        Value,
      })),
    }),
  );
  await t.sdk.send(new AdminConfirmSignUpCommand({ UserPoolId: pool, Username: name }));
}

const passwordSignIn = (name: string, client = clientId, password = PASSWORD) =>
  t.sdk.send(
    new InitiateAuthCommand({
      ClientId: client,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: name, PASSWORD: password },
    }),
  );

const respond = (name: string, session: string | undefined, responses: Record<string, string>, client = clientId) =>
  t.sdk.send(
    new RespondToAuthChallengeCommand({
      ClientId: client,
      ChallengeName: name as never,
      Session: session,
      ChallengeResponses: responses,
    }),
  );

async function accessTokenOf(name: string, client = clientId) {
  const result = await passwordSignIn(name, client);
  assert.equal(result.ChallengeName, undefined, 'no MFA yet');
  return result.AuthenticationResult!.AccessToken!;
}

/** Associates and verifies a TOTP secret (step 0 used up), then makes TOTP the preferred factor; returns the secret. */
async function withTotp(accessToken: string) {
  const { SecretCode } = await t.sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
  const verified = await t.sdk.send(
    new VerifySoftwareTokenCommand({
      AccessToken: accessToken,
      UserCode: totp(SecretCode!),
      FriendlyDeviceName: 'phone',
    }),
  );
  assert.equal(verified.Status, 'SUCCESS');
  await t.sdk.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  return SecretCode!;
}

describe('the pool’s MFA setting', () => {
  it('CreateUserPool’s MfaConfiguration and SmsAuthenticationMessage show in DescribeUserPool and GetUserPoolMfaConfig', async () => {
    const { UserPool } = await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    assert.equal(UserPool!.MfaConfiguration, 'OPTIONAL');
    assert.equal(UserPool!.SmsAuthenticationMessage, 'Your MFA code: {####}');
    const config = await t.sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
    assert.equal(config.MfaConfiguration, 'OPTIONAL');
    assert.deepEqual(config.SmsMfaConfiguration, { SmsAuthenticationMessage: 'Your MFA code: {####}' });
    assert.deepEqual(config.SoftwareTokenMfaConfiguration, { Enabled: true });
    assert.deepEqual(config.EmailMfaConfiguration, { Message: 'Sign-in code: {####}', Subject: 'Your sign-in code' });
  });

  it('SetUserPoolMfaConfig replaces the factors, keeps plumbing, and refuses what it cannot do, changing nothing', async () => {
    const { UserPool } = await t.sdk.send(new CreateUserPoolCommand({ PoolName: 'mfa-config' }));
    const id = UserPool!.Id!;
    assert.equal(UserPool!.MfaConfiguration, 'OFF');
    const set = await t.sdk.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: id,
        MfaConfiguration: 'ON',
        SmsMfaConfiguration: {
          SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'x' },
        },
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    assert.equal(set.MfaConfiguration, 'ON');
    assert.deepEqual(set.SmsMfaConfiguration, {
      SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'x' },
    });
    assert.equal(set.EmailMfaConfiguration, undefined);
    await expectError(
      t.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: id, MfaConfiguration: 'OPTIONAL' })),
      'InvalidParameterException',
      /needs at least one factor/,
    );
    await expectError(
      t.sdk.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: id,
          SoftwareTokenMfaConfiguration: { Enabled: true },
          WebAuthnConfiguration: { RelyingPartyId: 'example.com' },
        }),
      ),
      'InvalidParameterException',
      /WebAuthnConfiguration is not supported by Cognate/,
    );
    await expectError(
      t.sdk.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: id,
          SmsMfaConfiguration: { SmsAuthenticationMessage: 'no code here' },
        }),
      ),
      'InvalidParameterException',
      /\{####\}/,
    );
    await expectError(
      t.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: 'us-east-1_nothere0', MfaConfiguration: 'OFF' })),
      'ResourceNotFoundException',
    );
    // Nothing changed by the refusals.
    const after = await t.sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: id }));
    assert.equal(after.MfaConfiguration, 'ON');
    assert.deepEqual(after.SoftwareTokenMfaConfiguration, { Enabled: true });
    // MfaConfiguration left out is kept; the factors are the whole set given.
    const kept = await t.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: id, EmailMfaConfiguration: {} }));
    assert.equal(kept.MfaConfiguration, 'ON');
    // TOTP off: left out, as Cognito leaves it out when the call gave no SoftwareTokenMfaConfiguration.
    assert.equal(kept.SoftwareTokenMfaConfiguration, undefined);
    assert.equal(kept.SmsMfaConfiguration, undefined);
    assert.deepEqual(kept.EmailMfaConfiguration, {});
    const off = await t.sdk.send(new SetUserPoolMfaConfigCommand({ UserPoolId: id, MfaConfiguration: 'OFF' }));
    assert.equal(off.MfaConfiguration, 'OFF');
  });
});

describe('TOTP with an access token', () => {
  it('AssociateSoftwareToken, a wrong then a right VerifySoftwareToken; the preference and GetUser/AdminGetUser show it', async () => {
    await user('totp-ann');
    const token = await accessTokenOf('totp-ann');
    const { SecretCode } = await t.sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
    assert.match(SecretCode!, /^[A-Z2-7]{32}$/);
    // Not verified yet: TOTP cannot be turned on.
    await expectError(
      t.sdk.send(new SetUserMFAPreferenceCommand({ AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true } })),
      'InvalidParameterException',
      'User has not verified software token mfa',
    );
    await expectError(
      t.sdk.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: otherCode(totp(SecretCode!)) })),
      'EnableSoftwareTokenMFAException',
    );
    const ok = await t.sdk.send(
      new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: totp(SecretCode!), FriendlyDeviceName: 'pixel' }),
    );
    assert.equal(ok.Status, 'SUCCESS');
    assert.equal(ok.Session, undefined);
    const before = await t.sdk.send(new GetUserCommand({ AccessToken: token }));
    assert.equal(before.PreferredMfaSetting, undefined);
    assert.equal(before.UserMFASettingList, undefined);
    await t.sdk.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: token,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const me = await t.sdk.send(new GetUserCommand({ AccessToken: token }));
    assert.equal(me.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');
    assert.deepEqual(me.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
    const admin = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'totp-ann' }));
    assert.equal(admin.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');
    assert.deepEqual(admin.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
    // The sign-in now asks for the code; the challenge names the device.
    const started = await passwordSignIn('totp-ann');
    assert.equal(started.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    assert.deepEqual(started.ChallengeParameters, { FRIENDLY_DEVICE_NAME: 'pixel' });
    assert.equal(started.AuthenticationResult, undefined);
  });

  it('AccessToken and Session together, or neither, are refused; a pool without TOTP answers SoftwareTokenMFANotFoundException', async () => {
    await user('totp-bad');
    const token = await accessTokenOf('totp-bad');
    await expectError(
      t.sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: token, Session: 'x'.repeat(40) })),
      'InvalidParameterException',
      /not both/,
    );
    await expectError(t.sdk.send(new AssociateSoftwareTokenCommand({})), 'InvalidParameterException');
    await expectError(
      t.sdk.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: '123456' })),
      'InvalidParameterException',
      /AssociateSoftwareToken first/,
    );
    await expectError(
      t.sdk.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: '12ab56' })),
      'InvalidParameterException',
    );
    const { UserPool } = await t.sdk.send(
      new CreateUserPoolCommand({ PoolName: 'no-mfa', AutoVerifiedAttributes: ['email'] }),
    );
    const client = await newClient(UserPool!.Id!);
    await user('no-mfa-user', {}, UserPool!.Id!, client);
    const other = await accessTokenOf('no-mfa-user', client);
    await expectError(
      t.sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: other })),
      'SoftwareTokenMFANotFoundException',
    );
    await expectError(
      t.sdk.send(new SetUserMFAPreferenceCommand({ AccessToken: other, EmailMfaSettings: { Enabled: true } })),
      'InvalidParameterException',
      /not enabled for this user pool/,
    );
    await expectError(
      t.sdk.send(new SetUserMFAPreferenceCommand({ AccessToken: other, WebAuthnMfaSettings: { Enabled: true } })),
      'InvalidParameterException',
      /WebAuthnMfaSettings\.Enabled true is not supported/,
    );
  });
});

describe('SOFTWARE_TOKEN_MFA at sign-in', () => {
  it('a wrong code may be retried with the same Session; the right code signs in; the Session and the code are single use', async () => {
    await user('totp-bob');
    const secret = await withTotp(await accessTokenOf('totp-bob'));
    const started = await passwordSignIn('totp-bob');
    assert.equal(started.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    assert.match(started.Session!, /^mfa\./);
    await expectError(
      respond('SOFTWARE_TOKEN_MFA', started.Session, {
        USERNAME: 'totp-bob',
        SOFTWARE_TOKEN_MFA_CODE: otherCode(totp(secret, 1)),
      }),
      'CodeMismatchException',
      'Invalid code received for user',
    );
    const code = totp(secret, 1);
    const done = await respond('SOFTWARE_TOKEN_MFA', started.Session, {
      USERNAME: 'totp-bob',
      SOFTWARE_TOKEN_MFA_CODE: code,
    });
    assert.ok(done.AuthenticationResult?.AccessToken);
    await expectError(
      respond('SOFTWARE_TOKEN_MFA', started.Session, { USERNAME: 'totp-bob', SOFTWARE_TOKEN_MFA_CODE: code }),
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    );
    // The same code in a new sign-in: its time step is used up.
    const again = await passwordSignIn('totp-bob');
    await expectError(
      respond('SOFTWARE_TOKEN_MFA', again.Session, { USERNAME: 'totp-bob', SOFTWARE_TOKEN_MFA_CODE: code }),
      'CodeMismatchException',
    );
  });

  it('the session allows the pool’s codes.maxAttempts tries, then is dead; a wrong USERNAME or challenge name is refused', async () => {
    await user('totp-cy');
    const secret = await withTotp(await accessTokenOf('totp-cy'));
    const started = await passwordSignIn('totp-cy');
    await expectError(
      respond('SMS_MFA', started.Session, { USERNAME: 'totp-cy', SMS_MFA_CODE: '123456' }),
      'InvalidParameterException',
      /waits for SOFTWARE_TOKEN_MFA/,
    );
    const wrong = otherCode(totp(secret, 1));
    for (let i = 0; i < 5; i++) {
      await expectError(
        respond('SOFTWARE_TOKEN_MFA', started.Session, { USERNAME: 'totp-cy', SOFTWARE_TOKEN_MFA_CODE: wrong }),
        'CodeMismatchException',
      );
    }
    await expectError(
      respond('SOFTWARE_TOKEN_MFA', started.Session, { USERNAME: 'totp-cy', SOFTWARE_TOKEN_MFA_CODE: totp(secret, 1) }),
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    );
    await expectError(
      respond('SOFTWARE_TOKEN_MFA', 'mfa.' + 'x'.repeat(60), {
        USERNAME: 'totp-cy',
        SOFTWARE_TOKEN_MFA_CODE: '123456',
      }),
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    );
  });

  it('SRP sign-in asks for the TOTP code too, after PASSWORD_VERIFIER; another user’s USERNAME ends the session', async () => {
    await user('totp-srp');
    const secret = await withTotp(await accessTokenOf('totp-srp'));
    const session = createSrpSession('totp-srp', PASSWORD, poolId, false);
    const challenge = await t.sdk.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: 'totp-srp', SRP_A: session.largeA },
      }),
    );
    const signed = signSrpSession(session, challenge as never);
    const verified = await respond('PASSWORD_VERIFIER', undefined, {
      USERNAME: 'totp-srp',
      PASSWORD_CLAIM_SECRET_BLOCK: signed.secret,
      TIMESTAMP: signed.timestamp,
      PASSWORD_CLAIM_SIGNATURE: signed.passwordSignature,
    });
    assert.equal(verified.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    await expectError(
      respond('SOFTWARE_TOKEN_MFA', verified.Session, {
        USERNAME: 'totp-ann',
        SOFTWARE_TOKEN_MFA_CODE: totp(secret, 1),
      }),
      'NotAuthorizedException',
    );
    // The mismatched USERNAME used the session up.
    const next = await passwordSignIn('totp-srp');
    const done = await respond('SOFTWARE_TOKEN_MFA', next.Session, {
      USERNAME: 'totp-srp',
      SOFTWARE_TOKEN_MFA_CODE: totp(secret, 1),
    });
    assert.ok(done.AuthenticationResult?.IdToken);
  });
});

describe('SMS_MFA, EMAIL_OTP and SELECT_MFA_TYPE', () => {
  it('SMS_MFA: the code goes by SMS with the pool’s message; CODE_DELIVERY_* parameters; MFAOptions in GetUser', async () => {
    const phone = uniquePhone();
    await user('sms-dee', { phone_number: phone });
    const token = await accessTokenOf('sms-dee');
    await t.sdk.send(
      new SetUserMFAPreferenceCommand({ AccessToken: token, SMSMfaSettings: { Enabled: true, PreferredMfa: true } }),
    );
    const me = await t.sdk.send(new GetUserCommand({ AccessToken: token }));
    assert.deepEqual(me.MFAOptions, [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }]);
    const started = await passwordSignIn('sms-dee');
    assert.equal(started.ChallengeName, 'SMS_MFA');
    assert.equal(started.ChallengeParameters!.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
    assert.equal(started.ChallengeParameters!.CODE_DELIVERY_DESTINATION, `+********${phone.slice(-4)}`);
    const sms = await t.twilio.waitFor((m) => m.to === phone && m.body.startsWith('Your MFA code:'));
    const code = /\d{6}/.exec(sms.body)![0];
    await expectError(
      respond('SMS_MFA', started.Session, { USERNAME: 'sms-dee', SMS_MFA_CODE: otherCode(code) }),
      'CodeMismatchException',
    );
    const done = await respond('SMS_MFA', started.Session, { USERNAME: 'sms-dee', SMS_MFA_CODE: code });
    assert.ok(done.AuthenticationResult?.AccessToken);
  });

  it('SetUserMFAPreference refuses SMS without a phone number and two preferred factors', async () => {
    await user('pref-eve');
    const token = await accessTokenOf('pref-eve');
    await expectError(
      t.sdk.send(new SetUserMFAPreferenceCommand({ AccessToken: token, SMSMfaSettings: { Enabled: true } })),
      'InvalidParameterException',
      /phone_number/,
    );
    await expectError(
      t.sdk.send(
        new SetUserMFAPreferenceCommand({
          AccessToken: token,
          EmailMfaSettings: { Enabled: true, PreferredMfa: true },
          SMSMfaSettings: { Enabled: true, PreferredMfa: true },
        }),
      ),
      'InvalidParameterException',
      /Only one/,
    );
    await expectError(
      t.sdk.send(
        new SetUserMFAPreferenceCommand({
          AccessToken: token,
          EmailMfaSettings: { Enabled: false, PreferredMfa: true },
        }),
      ),
      'InvalidParameterException',
    );
    const me = await t.sdk.send(new GetUserCommand({ AccessToken: token }));
    assert.equal(me.UserMFASettingList, undefined);
  });

  it('SELECT_MFA_TYPE: two factors and none preferred; the choice sends an EMAIL_OTP code, the pool’s email message', async () => {
    const phone = uniquePhone();
    const email = uniqueEmail('select');
    await user('select-fay', { phone_number: phone, email });
    const token = await accessTokenOf('select-fay');
    await t.sdk.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: token,
        SMSMfaSettings: { Enabled: true },
        EmailMfaSettings: { Enabled: true },
      }),
    );
    const started = await passwordSignIn('select-fay');
    assert.equal(started.ChallengeName, 'SELECT_MFA_TYPE');
    assert.deepEqual(JSON.parse(started.ChallengeParameters!.MFAS_CAN_CHOOSE!), ['SMS_MFA', 'EMAIL_OTP']);
    await expectError(
      respond('SELECT_MFA_TYPE', started.Session, { USERNAME: 'select-fay', ANSWER: 'SOFTWARE_TOKEN_MFA' }),
      'InvalidParameterException',
      /one of the factors offered/,
    );
    const seen = mailsTo(t, email);
    const chosen = await respond('SELECT_MFA_TYPE', started.Session, { USERNAME: 'select-fay', ANSWER: 'EMAIL_OTP' });
    assert.equal(chosen.ChallengeName, 'EMAIL_OTP');
    assert.equal(chosen.ChallengeParameters!.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
    const code = await newCodeFor(t, email, seen);
    const mail = t.smtp.messages.findLast((m) => m.to.includes(email))!;
    assert.equal(mail.subject, 'Your sign-in code');
    assert.match(mail.text, /^Sign-in code: \d{6}/);
    const done = await respond('EMAIL_OTP', chosen.Session, { USERNAME: 'select-fay', EMAIL_OTP_CODE: code });
    assert.ok(done.AuthenticationResult?.AccessToken);
    // The old SELECT_MFA_TYPE session was used up by the choice.
    await expectError(
      respond('SELECT_MFA_TYPE', started.Session, { USERNAME: 'select-fay', ANSWER: 'SMS_MFA' }),
      'NotAuthorizedException',
    );
  });

  it('AdminSetUserMFAPreference turns factors on and off; OPTIONAL asks nothing of a user with none', async () => {
    await user('admin-gus', { phone_number: uniquePhone() });
    await t.sdk.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: poolId,
        Username: 'admin-gus',
        SMSMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const admin = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'admin-gus' }));
    assert.equal(admin.PreferredMfaSetting, 'SMS_MFA');
    assert.equal((await passwordSignIn('admin-gus')).ChallengeName, 'SMS_MFA');
    await t.sdk.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: poolId,
        Username: 'admin-gus',
        SMSMfaSettings: { Enabled: false },
      }),
    );
    const after = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'admin-gus' }));
    assert.equal(after.PreferredMfaSetting, undefined);
    assert.equal(after.UserMFASettingList, undefined);
    assert.ok((await passwordSignIn('admin-gus')).AuthenticationResult);
    await expectError(
      t.sdk.send(
        new AdminSetUserMFAPreferenceCommand({
          UserPoolId: poolId,
          Username: 'nobody-here',
          SMSMfaSettings: { Enabled: true },
        }),
      ),
      'UserNotFoundException',
    );
  });
});

describe('MFA required (ON)', () => {
  let onPool: string;
  let onClient: string;
  before(async () => {
    const { UserPool } = await t.sdk.send(
      new CreateUserPoolCommand({ PoolName: 'mfa-on', AutoVerifiedAttributes: ['email'] }),
    );
    onPool = UserPool!.Id!;
    await t.sdk.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: onPool,
        MfaConfiguration: 'ON',
        SoftwareTokenMfaConfiguration: { Enabled: true },
        EmailMfaConfiguration: {},
      }),
    );
    onClient = await newClient(onPool);
  });

  it('MFA_SETUP: TOTP set up with the Session (AssociateSoftwareToken, VerifySoftwareToken), then the tokens; next time SOFTWARE_TOKEN_MFA', async () => {
    await user('setup-hal', {}, onPool, onClient);
    const started = await passwordSignIn('setup-hal', onClient);
    assert.equal(started.ChallengeName, 'MFA_SETUP');
    assert.deepEqual(JSON.parse(started.ChallengeParameters!.MFAS_CAN_SETUP!), ['SOFTWARE_TOKEN_MFA', 'EMAIL_OTP']);
    // Answering before a factor is set up is refused and keeps the session.
    await expectError(
      respond('MFA_SETUP', started.Session, { USERNAME: 'setup-hal' }, onClient),
      'InvalidParameterException',
    );
    const associated = await t.sdk.send(new AssociateSoftwareTokenCommand({ Session: started.Session }));
    assert.ok(associated.Session && associated.Session !== started.Session);
    await expectError(
      t.sdk.send(
        new VerifySoftwareTokenCommand({
          Session: associated.Session,
          UserCode: otherCode(totp(associated.SecretCode!)),
        }),
      ),
      'EnableSoftwareTokenMFAException',
    );
    const verified = await t.sdk.send(
      new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: totp(associated.SecretCode!) }),
    );
    assert.equal(verified.Status, 'SUCCESS');
    const done = await respond('MFA_SETUP', verified.Session, { USERNAME: 'setup-hal' }, onClient);
    assert.ok(done.AuthenticationResult?.AccessToken);
    const me = await t.sdk.send(new GetUserCommand({ AccessToken: done.AuthenticationResult.AccessToken }));
    assert.equal(me.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');
    const next = await passwordSignIn('setup-hal', onClient);
    assert.equal(next.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    // The session of the first sign-in was used up.
    await expectError(
      t.sdk.send(new AssociateSoftwareTokenCommand({ Session: started.Session })),
      'NotAuthorizedException',
    );
  });

  it('MFA_SETUP with EMAIL: the user’s own address gets a code, and email MFA is on; another address is refused', async () => {
    const email = uniqueEmail('setup-ida');
    await user('setup-ida', { email }, onPool, onClient);
    const started = await passwordSignIn('setup-ida', onClient);
    await expectError(
      respond('MFA_SETUP', started.Session, { USERNAME: 'setup-ida', EMAIL: uniqueEmail('someone-else') }, onClient),
      'InvalidParameterException',
      /own email address/,
    );
    const seen = mailsTo(t, email);
    const challenge = await respond('MFA_SETUP', started.Session, { USERNAME: 'setup-ida', EMAIL: email }, onClient);
    assert.equal(challenge.ChallengeName, 'EMAIL_OTP');
    const code = await newCodeFor(t, email, seen);
    const done = await respond(
      'EMAIL_OTP',
      challenge.Session,
      { USERNAME: 'setup-ida', EMAIL_OTP_CODE: code },
      onClient,
    );
    assert.ok(done.AuthenticationResult);
    const admin = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: onPool, Username: 'setup-ida' }));
    assert.deepEqual(admin.UserMFASettingList, ['EMAIL_OTP']);
    assert.equal(admin.PreferredMfaSetting, 'EMAIL_OTP');
  });

  it('NEW_PASSWORD_REQUIRED, then MFA_SETUP; a password changed meanwhile ends a pending MFA session', async () => {
    await t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: onPool,
        Username: 'invited-jo',
        TemporaryPassword: 'Temp0rary!',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: uniqueEmail('jo') }],
      }),
    );
    const started = await passwordSignIn('invited-jo', onClient, 'Temp0rary!');
    assert.equal(started.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    const setup = await respond(
      'NEW_PASSWORD_REQUIRED',
      started.Session,
      { USERNAME: 'invited-jo', NEW_PASSWORD: PASSWORD },
      onClient,
    );
    assert.equal(setup.ChallengeName, 'MFA_SETUP');
    const associated = await t.sdk.send(new AssociateSoftwareTokenCommand({ Session: setup.Session }));
    const verified = await t.sdk.send(
      new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: totp(associated.SecretCode!) }),
    );
    const done = await respond('MFA_SETUP', verified.Session, { USERNAME: 'invited-jo' }, onClient);
    assert.ok(done.AuthenticationResult?.AccessToken);
    // A sign-in waits at SOFTWARE_TOKEN_MFA; the password changes meanwhile: the pending session is dead.
    const pending = await passwordSignIn('invited-jo', onClient);
    assert.equal(pending.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    await t.sdk.send(
      new ChangePasswordCommand({
        AccessToken: done.AuthenticationResult.AccessToken,
        PreviousPassword: PASSWORD,
        ProposedPassword: 'N3w-Passw0rd!',
      }),
    );
    await expectError(
      respond(
        'SOFTWARE_TOKEN_MFA',
        pending.Session,
        { USERNAME: 'invited-jo', SOFTWARE_TOKEN_MFA_CODE: totp(associated.SecretCode!, 1) },
        onClient,
      ),
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    );
  });

  it('existence hiding: a wrong password of an MFA user and an unknown name answer alike, with no challenge', async () => {
    await user('hidden-kim', {}, onPool, onClient);
    const wrong = await expectError(
      passwordSignIn('hidden-kim', onClient, 'Wr0ng-password!'),
      'NotAuthorizedException',
    );
    const unknown = await expectError(
      passwordSignIn('nobody-kim', onClient, 'Wr0ng-password!'),
      'NotAuthorizedException',
    );
    assert.equal(wrong.message, unknown.message);
  });
});

describe('custom authentication, then MFA', () => {
  it('CUSTOM_AUTH: once the hooks issue tokens, SOFTWARE_TOKEN_MFA is asked first', async () => {
    const hook = await startHookServer({
      handler: (request: HookRequest) => {
        const event = request.body;
        const reply = (response: Record<string, unknown>) => ({
          status: 200,
          body: { ...event, response: { ...event.response, ...response } },
        });
        const session: { challengeResult: boolean }[] = event.request.session ?? [];
        if (event.triggerSource === 'DefineAuthChallenge_Authentication')
          return reply(session.at(-1)?.challengeResult ? { issueTokens: true } : { challengeName: 'CUSTOM_CHALLENGE' });
        if (event.triggerSource === 'CreateAuthChallenge_Authentication')
          return reply({ publicChallengeParameters: { q: 'code?' }, privateChallengeParameters: { code: '424242' } });
        if (event.triggerSource === 'VerifyAuthChallengeResponse_Authentication')
          return reply({ answerCorrect: event.request.challengeAnswer === '424242' });
        return { status: 200, body: event };
      },
    });
    try {
      const { UserPool } = await t.sdk.send(
        new CreateUserPoolCommand({
          PoolName: 'mfa-custom',
          LambdaConfig: {
            DefineAuthChallenge: hook.url,
            CreateAuthChallenge: hook.url,
            VerifyAuthChallengeResponse: hook.url,
          },
        }),
      );
      const id = UserPool!.Id!;
      await t.sdk.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: id,
          MfaConfiguration: 'OPTIONAL',
          SoftwareTokenMfaConfiguration: { Enabled: true },
        }),
      );
      const { UserPoolClient } = await t.sdk.send(
        new CreateUserPoolClientCommand({
          UserPoolId: id,
          ClientName: 'custom',
          ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        }),
      );
      const client = UserPoolClient!.ClientId!;
      await user('custom-lu', {}, id, client);
      const secret = await withTotp(await accessTokenOf('custom-lu', client));
      const started = await t.sdk.send(
        new InitiateAuthCommand({
          ClientId: client,
          AuthFlow: 'CUSTOM_AUTH',
          AuthParameters: { USERNAME: 'custom-lu' },
        }),
      );
      assert.equal(started.ChallengeName, 'CUSTOM_CHALLENGE');
      // Another flow's session answered as MFA is refused and not used up.
      await expectError(
        respond(
          'SOFTWARE_TOKEN_MFA',
          started.Session,
          { USERNAME: 'custom-lu', SOFTWARE_TOKEN_MFA_CODE: '123456' },
          client,
        ),
        'NotAuthorizedException',
        'Invalid session for the user, session is expired.',
      );
      const custom = await respond(
        'CUSTOM_CHALLENGE',
        started.Session,
        { USERNAME: 'custom-lu', ANSWER: '424242' },
        client,
      );
      assert.equal(custom.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      assert.equal(custom.AuthenticationResult, undefined);
      const done = await respond(
        'SOFTWARE_TOKEN_MFA',
        custom.Session,
        { USERNAME: 'custom-lu', SOFTWARE_TOKEN_MFA_CODE: totp(secret, 1) },
        client,
      );
      assert.ok(done.AuthenticationResult?.AccessToken);
    } finally {
      await hook.close();
    }
  });
});
