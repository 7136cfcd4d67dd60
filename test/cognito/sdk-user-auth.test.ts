/**
 * Choice-based and passwordless sign-in on the Cognito face (docs/passwordless.md): InitiateAuth
 * USER_AUTH, RespondToAuthChallenge SELECT_CHALLENGE, EMAIL_OTP, SMS_OTP, PASSWORD, PASSWORD_SRP,
 * and GetUserAuthFactors, through the real AWS SDK; codes from the captured mail and the Twilio stand-in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  GetUserAuthFactorsCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  type CreateUserPoolClientCommandInput,
  type CreateUserPoolCommandInput,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSrpSession, signSrpSession } from 'cognito-srp-helper';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { startHookServer, type HookServer } from '../support/hook-server.ts';
import { PASSWORD, expectError, poolWithClient, signUpConfirmed } from '../support/sdk-flows.ts';
import { mailsTo, newCodeFor, otherCode, smsTo, uniqueEmail, uniquePhone } from '../support/user-flows.ts';

let t: CognitoTestApp;
let hook: HookServer;
/** The clock the app's sessions and lockout read: moved forward to expire a session. */
let offsetMs = 0;

before(async () => {
  t = await startCognitoApp({}, { now: () => new Date(Date.now() + offsetMs) });
  hook = await startHookServer();
});
after(async () => {
  await hook.close();
  await t.close();
});

const INVALID_SESSION = 'Invalid session for the user, session is expired.';

async function userAuthPool(
  options: { hidden?: boolean; factors?: string[]; pool?: Partial<CreateUserPoolCommandInput> } = {},
  client: Partial<CreateUserPoolClientCommandInput> = {},
) {
  return poolWithClient(
    t,
    {
      AutoVerifiedAttributes: ['email'],
      Policies: {
        SignInPolicy: { AllowedFirstAuthFactors: (options.factors ?? ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP']) as never },
      },
      ...options.pool,
    },
    {
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: options.hidden ? 'ENABLED' : 'LEGACY',
      ...client,
    },
  );
}

async function emailUser(clientId: string, name: string) {
  const email = uniqueEmail(name);
  await signUpConfirmed(t, clientId, name, { email });
  return email;
}

const initiate = (clientId: string, parameters: Record<string, string>) =>
  t.sdk.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: parameters }));

const respond = (
  clientId: string,
  challengeName: string,
  session: string | undefined,
  responses: Record<string, string>,
  clientMetadata?: Record<string, string>,
) =>
  t.sdk.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: challengeName as never,
      Session: session,
      ChallengeResponses: responses,
      ...(clientMetadata && { ClientMetadata: clientMetadata }),
    }),
  );

/** InitiateAuth USER_AUTH with PREFERRED_CHALLENGE EMAIL_OTP; returns the challenge and the code mailed. */
async function emailChallenge(clientId: string, name: string, email: string) {
  const seen = mailsTo(t, email);
  const challenge = await initiate(clientId, { USERNAME: name, PREFERRED_CHALLENGE: 'EMAIL_OTP' });
  assert.equal(challenge.ChallengeName, 'EMAIL_OTP');
  return { challenge, code: await newCodeFor(t, email, seen) };
}

describe('the pool’s sign-in policy', () => {
  test('CreateUserPool stores AllowedFirstAuthFactors and DescribeUserPool shows them', async () => {
    const { poolId } = await userAuthPool({ factors: ['PASSWORD', 'EMAIL_OTP'] });
    const described = await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    assert.deepEqual(described.UserPool!.Policies!.SignInPolicy, {
      AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'],
    });
    // A pool made without one allows the password only, as in Cognito.
    const { poolId: plain } = await poolWithClient(t);
    const plainDescribed = await t.sdk.send(new DescribeUserPoolCommand({ UserPoolId: plain }));
    assert.deepEqual(plainDescribed.UserPool!.Policies!.SignInPolicy, { AllowedFirstAuthFactors: ['PASSWORD'] });
  });

  test('WEB_AUTHN is refused naming it, and PASSWORD cannot be left out; nothing is created', async () => {
    const before = (await t.services.pools.listPools()).length;
    await expectError(
      t.sdk.send(
        new CreateUserPoolCommand({
          PoolName: 'passkeys',
          Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } },
        }),
      ),
      'InvalidParameterException',
      /WEB_AUTHN is not supported by Cognate \(yet\)/,
    );
    await expectError(
      t.sdk.send(
        new CreateUserPoolCommand({
          PoolName: 'no-password',
          Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['EMAIL_OTP'] } },
        }),
      ),
      'InvalidParameterException',
      'AllowedFirstAuthFactors must include PASSWORD.',
    );
    await expectError(
      t.sdk.send(
        new CreateUserPoolCommand({
          PoolName: 'odd',
          Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'MAGIC_LINK' as never] } },
        }),
      ),
      'InvalidParameterException',
    );
    assert.equal((await t.services.pools.listPools()).length, before);
  });
});

describe('EMAIL_OTP', () => {
  test('preferred: a code by mail, answered with EMAIL_OTP_CODE, signs in; the session is single use', async () => {
    const { clientId } = await userAuthPool();
    const email = await emailUser(clientId, 'otp-ann');
    const { challenge, code } = await emailChallenge(clientId, 'otp-ann', email);
    assert.equal(challenge.ChallengeParameters!.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
    assert.match(challenge.ChallengeParameters!.CODE_DELIVERY_DESTINATION!, /^o\*\*\*@e\*\*\*$/);
    assert.ok(challenge.Session!.startsWith('user-auth.'));
    const signedIn = await respond(clientId, 'EMAIL_OTP', challenge.Session, {
      USERNAME: 'otp-ann',
      EMAIL_OTP_CODE: code,
    });
    assert.ok(signedIn.AuthenticationResult?.AccessToken, 'tokens');
    const me = await t.sdk.send(new GetUserCommand({ AccessToken: signedIn.AuthenticationResult.AccessToken }));
    assert.equal(me.Username, 'otp-ann');
    // Replayed: the session was used up.
    await expectError(
      respond(clientId, 'EMAIL_OTP', challenge.Session, { USERNAME: 'otp-ann', EMAIL_OTP_CODE: code }),
      'NotAuthorizedException',
      INVALID_SESSION,
    );
  });

  test('a wrong code may be retried with the same session until the pool’s limit, then the session is gone', async () => {
    const { clientId, poolId } = await userAuthPool();
    const email = await emailUser(clientId, 'otp-bob');
    const { challenge, code } = await emailChallenge(clientId, 'otp-bob', email);
    await expectError(
      respond(clientId, 'EMAIL_OTP', challenge.Session, { USERNAME: 'otp-bob', EMAIL_OTP_CODE: otherCode(code) }),
      'CodeMismatchException',
    );
    const retried = await respond(clientId, 'EMAIL_OTP', challenge.Session, {
      USERNAME: 'otp-bob',
      EMAIL_OTP_CODE: code,
    });
    assert.ok(retried.AuthenticationResult?.AccessToken);

    const max = (await t.services.pools.getPool(poolId)).policies.codes.maxAttempts;
    const second = await emailChallenge(clientId, 'otp-bob', email);
    for (let i = 0; i < max; i += 1) {
      await expectError(
        respond(clientId, 'EMAIL_OTP', second.challenge.Session, {
          USERNAME: 'otp-bob',
          EMAIL_OTP_CODE: otherCode(second.code),
        }),
        'CodeMismatchException',
      );
    }
    // The right code no longer helps: the tries are used up.
    await expectError(
      respond(clientId, 'EMAIL_OTP', second.challenge.Session, { USERNAME: 'otp-bob', EMAIL_OTP_CODE: second.code }),
      'NotAuthorizedException',
      INVALID_SESSION,
    );
  });

  test('a code works only in its own sign-in, and not under another challenge name or user name', async () => {
    const { clientId } = await userAuthPool();
    const email = await emailUser(clientId, 'otp-cy');
    await emailUser(clientId, 'otp-cy2');
    const first = await emailChallenge(clientId, 'otp-cy', email);
    const second = await emailChallenge(clientId, 'otp-cy', email);
    // The first sign-in's code does not open the second.
    await expectError(
      respond(clientId, 'EMAIL_OTP', second.challenge.Session, { USERNAME: 'otp-cy', EMAIL_OTP_CODE: first.code }),
      'CodeMismatchException',
    );
    await expectError(
      respond(clientId, 'SMS_OTP', first.challenge.Session, { USERNAME: 'otp-cy', SMS_OTP_CODE: first.code }),
      'NotAuthorizedException',
      INVALID_SESSION,
    );
    const third = await emailChallenge(clientId, 'otp-cy', email);
    await expectError(
      respond(clientId, 'EMAIL_OTP', third.challenge.Session, { USERNAME: 'otp-cy2', EMAIL_OTP_CODE: third.code }),
      'NotAuthorizedException',
      INVALID_SESSION,
    );
    await expectError(
      respond(clientId, 'EMAIL_OTP', second.challenge.Session, { USERNAME: 'otp-cy' }),
      'InvalidParameterException',
      'Missing required parameter EMAIL_OTP_CODE',
    );
  });

  test('a session expires after the client’s AuthSessionValidity', async () => {
    const { clientId } = await userAuthPool({}, { AuthSessionValidity: 3 });
    const email = await emailUser(clientId, 'otp-dee');
    const { challenge, code } = await emailChallenge(clientId, 'otp-dee', email);
    offsetMs = 3 * 60_000 + 1000;
    try {
      await expectError(
        respond(clientId, 'EMAIL_OTP', challenge.Session, { USERNAME: 'otp-dee', EMAIL_OTP_CODE: code }),
        'NotAuthorizedException',
        INVALID_SESSION,
      );
    } finally {
      offsetMs = 0;
    }
  });

  test('PreAuthentication and PostAuthentication fire, and CustomMessage_Authentication writes the mail', async () => {
    hook.requests.length = 0;
    hook.handle((request) => {
      const event = request.body;
      if (event.triggerSource === 'CustomMessage_Authentication') {
        return {
          status: 200,
          body: {
            ...event,
            response: { emailSubject: 'Your sign-in code', emailMessage: `Code: ${event.request.codeParameter}` },
          },
        };
      }
      return { status: 200, body: event };
    });
    const { clientId } = await userAuthPool({
      pool: {
        LambdaConfig: { PreAuthentication: hook.url, PostAuthentication: hook.url, CustomMessage: hook.url },
      },
    });
    const email = await emailUser(clientId, 'otp-eve');
    hook.requests.length = 0;
    const seen = mailsTo(t, email);
    const challenge = await initiate(clientId, { USERNAME: 'otp-eve', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
    const code = await newCodeFor(t, email, seen);
    const mail = t.smtp.messages.filter((m) => m.to.includes(email)).at(-1)!;
    assert.equal(mail.subject, 'Your sign-in code');
    await respond(
      clientId,
      'EMAIL_OTP',
      challenge.Session,
      { USERNAME: 'otp-eve', EMAIL_OTP_CODE: code },
      { step: 'answer' },
    );
    const sources = hook.requests.map((r) => r.body.triggerSource);
    assert.deepEqual(sources, [
      'PreAuthentication_Authentication',
      'CustomMessage_Authentication',
      'PostAuthentication_Authentication',
    ]);
    assert.deepEqual(hook.requests.at(-1)!.body.request.clientMetadata, { step: 'answer' });
    hook.handle((request) => ({ status: 200, body: request.body }));
  });
});

describe('MFA after the first factor', () => {
  test('a code first factor is not followed by MFA; the password is', async () => {
    const { clientId } = await userAuthPool({ pool: { MfaConfiguration: 'OPTIONAL' } });
    const email = uniqueEmail('mfa-ann');
    await signUpConfirmed(t, clientId, 'mfa-ann', { email, phone_number: uniquePhone() });
    const first = await emailChallenge(clientId, 'mfa-ann', email);
    const tokens = await respond(clientId, 'EMAIL_OTP', first.challenge.Session, {
      USERNAME: 'mfa-ann',
      EMAIL_OTP_CODE: first.code,
    });
    await t.sdk.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: tokens.AuthenticationResult!.AccessToken,
        SMSMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const second = await emailChallenge(clientId, 'mfa-ann', email);
    const again = await respond(clientId, 'EMAIL_OTP', second.challenge.Session, {
      USERNAME: 'mfa-ann',
      EMAIL_OTP_CODE: second.code,
    });
    assert.ok(again.AuthenticationResult?.AccessToken, `no MFA after a code: ${again.ChallengeName}`);
    const withPassword = await initiate(clientId, { USERNAME: 'mfa-ann', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
    assert.equal(withPassword.ChallengeName, 'SMS_MFA');
  });
});

describe('SELECT_CHALLENGE', () => {
  test('without a preference: the choices this user can use; ANSWER EMAIL_OTP sends a code', async () => {
    const { clientId } = await userAuthPool();
    const email = await emailUser(clientId, 'sel-ann');
    const select = await initiate(clientId, { USERNAME: 'sel-ann' });
    assert.equal(select.ChallengeName, 'SELECT_CHALLENGE');
    // No verified phone: no SMS_OTP.
    assert.deepEqual(select.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
    const seen = mailsTo(t, email);
    const chosen = await respond(clientId, 'SELECT_CHALLENGE', select.Session, {
      USERNAME: 'sel-ann',
      ANSWER: 'EMAIL_OTP',
    });
    assert.equal(chosen.ChallengeName, 'EMAIL_OTP');
    const code = await newCodeFor(t, email, seen);
    const signedIn = await respond(clientId, 'EMAIL_OTP', chosen.Session, {
      USERNAME: 'sel-ann',
      EMAIL_OTP_CODE: code,
    });
    assert.ok(signedIn.AuthenticationResult?.AccessToken);
  });

  test('ANSWER PASSWORD with PASSWORD signs in; a wrong password is refused and the session used up', async () => {
    const { clientId } = await userAuthPool();
    await emailUser(clientId, 'sel-bob');
    const select = await initiate(clientId, { USERNAME: 'sel-bob' });
    await expectError(
      respond(clientId, 'SELECT_CHALLENGE', select.Session, {
        USERNAME: 'sel-bob',
        ANSWER: 'PASSWORD',
        PASSWORD: 'Wrong-passw0rd!',
      }),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
    await expectError(
      respond(clientId, 'SELECT_CHALLENGE', select.Session, { USERNAME: 'sel-bob', ANSWER: 'PASSWORD', PASSWORD }),
      'NotAuthorizedException',
      INVALID_SESSION,
    );
    const again = await initiate(clientId, { USERNAME: 'sel-bob' });
    const signedIn = await respond(clientId, 'SELECT_CHALLENGE', again.Session, {
      USERNAME: 'sel-bob',
      ANSWER: 'PASSWORD',
      PASSWORD,
    });
    assert.ok(signedIn.AuthenticationResult?.AccessToken);
    // The challenge name PASSWORD answers the same choice, as Amplify sends it after SELECT_CHALLENGE.
    const third = await initiate(clientId, { USERNAME: 'sel-bob' });
    const named = await respond(clientId, 'PASSWORD', third.Session, { USERNAME: 'sel-bob', PASSWORD });
    assert.ok(named.AuthenticationResult?.AccessToken);
  });

  test('ANSWER PASSWORD_SRP with SRP_A leads to PASSWORD_VERIFIER with a session, then tokens', async () => {
    const { clientId, poolId } = await userAuthPool();
    await emailUser(clientId, 'sel-srp');
    const select = await initiate(clientId, { USERNAME: 'sel-srp' });
    const srp = createSrpSession('sel-srp', PASSWORD, poolId, false);
    const verifier = await respond(clientId, 'SELECT_CHALLENGE', select.Session, {
      USERNAME: 'sel-srp',
      ANSWER: 'PASSWORD_SRP',
      SRP_A: srp.largeA,
    });
    assert.equal(verifier.ChallengeName, 'PASSWORD_VERIFIER');
    assert.ok(verifier.Session?.startsWith('user-auth.'));
    const signed = signSrpSession(srp, verifier as never);
    const answers = {
      USERNAME: verifier.ChallengeParameters!.USER_ID_FOR_SRP!,
      PASSWORD_CLAIM_SECRET_BLOCK: signed.secret,
      TIMESTAMP: signed.timestamp,
      PASSWORD_CLAIM_SIGNATURE: signed.passwordSignature,
    };
    // The block is USER_AUTH's: USER_SRP_AUTH's answer (no session) does not take it.
    await expectError(respond(clientId, 'PASSWORD_VERIFIER', undefined, answers), 'NotAuthorizedException');
    const signedIn = await respond(clientId, 'PASSWORD_VERIFIER', verifier.Session, answers);
    assert.ok(signedIn.AuthenticationResult?.AccessToken);
  });

  test('an ANSWER not offered, or no ANSWER, is refused naming it', async () => {
    const { clientId } = await userAuthPool();
    await emailUser(clientId, 'sel-cy');
    const select = await initiate(clientId, { USERNAME: 'sel-cy' });
    await expectError(
      respond(clientId, 'SELECT_CHALLENGE', select.Session, { USERNAME: 'sel-cy', ANSWER: 'SMS_OTP' }),
      'InvalidParameterException',
      /ANSWER SMS_OTP is not one of the available challenges/,
    );
    const again = await initiate(clientId, { USERNAME: 'sel-cy' });
    await expectError(
      respond(clientId, 'SELECT_CHALLENGE', again.Session, { USERNAME: 'sel-cy', ANSWER: 'WEB_AUTHN' }),
      'InvalidParameterException',
      /WEB_AUTHN is not supported by Cognate \(yet\)/,
    );
    await expectError(
      respond(clientId, 'SELECT_CHALLENGE', again.Session, { USERNAME: 'sel-cy' }),
      'InvalidParameterException',
      'Missing required parameter ANSWER',
    );
  });
});

describe('PASSWORD and PASSWORD_SRP preferred', () => {
  test('PREFERRED_CHALLENGE PASSWORD with PASSWORD signs in at once', async () => {
    const { clientId } = await userAuthPool({ factors: ['PASSWORD'] });
    await emailUser(clientId, 'pw-ann');
    const signedIn = await initiate(clientId, { USERNAME: 'pw-ann', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
    assert.ok(signedIn.AuthenticationResult?.AccessToken);
    await expectError(
      initiate(clientId, { USERNAME: 'pw-ann', PREFERRED_CHALLENGE: 'PASSWORD' }),
      'InvalidParameterException',
      'Missing required parameter PASSWORD with PREFERRED_CHALLENGE PASSWORD',
    );
  });

  test('PREFERRED_CHALLENGE PASSWORD_SRP with SRP_A answers PASSWORD_VERIFIER with a session', async () => {
    const { clientId, poolId } = await userAuthPool();
    await emailUser(clientId, 'pw-srp');
    const srp = createSrpSession('pw-srp', PASSWORD, poolId, false);
    const verifier = await initiate(clientId, {
      USERNAME: 'pw-srp',
      PREFERRED_CHALLENGE: 'PASSWORD_SRP',
      SRP_A: srp.largeA,
    });
    assert.equal(verifier.ChallengeName, 'PASSWORD_VERIFIER');
    const signed = signSrpSession(srp, verifier as never);
    const signedIn = await respond(clientId, 'PASSWORD_VERIFIER', verifier.Session, {
      USERNAME: verifier.ChallengeParameters!.USER_ID_FOR_SRP!,
      PASSWORD_CLAIM_SECRET_BLOCK: signed.secret,
      TIMESTAMP: signed.timestamp,
      PASSWORD_CLAIM_SIGNATURE: signed.passwordSignature,
    });
    assert.ok(signedIn.AuthenticationResult?.AccessToken);
  });
});

describe('SMS_OTP', () => {
  test('a code through Twilio to a verified phone signs in', async () => {
    const { clientId } = await userAuthPool({ pool: { AutoVerifiedAttributes: ['phone_number'] } });
    const phone = uniquePhone();
    await signUpConfirmed(t, clientId, 'sms-ann', { phone_number: phone });
    const sent = smsTo(t, phone);
    const challenge = await initiate(clientId, { USERNAME: 'sms-ann', PREFERRED_CHALLENGE: 'SMS_OTP' });
    assert.equal(challenge.ChallengeName, 'SMS_OTP');
    assert.equal(challenge.ChallengeParameters!.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
    assert.equal(smsTo(t, phone), sent + 1);
    const signedIn = await respond(clientId, 'SMS_OTP', challenge.Session, {
      USERNAME: 'sms-ann',
      SMS_OTP_CODE: t.smsCodeFor(phone),
    });
    assert.ok(signedIn.AuthenticationResult?.AccessToken);
  });

  test('a preferred code the user cannot use answers SELECT_CHALLENGE where existence is not hidden', async () => {
    const { clientId } = await userAuthPool();
    await emailUser(clientId, 'sms-bob');
    const answer = await initiate(clientId, { USERNAME: 'sms-bob', PREFERRED_CHALLENGE: 'SMS_OTP' });
    assert.equal(answer.ChallengeName, 'SELECT_CHALLENGE');
    assert.deepEqual(answer.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
  });
});

describe('refusals', () => {
  test('a client without ALLOW_USER_AUTH', async () => {
    const { clientId } = await userAuthPool({}, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] });
    await expectError(
      initiate(clientId, { USERNAME: 'anyone' }),
      'InvalidParameterException',
      'USER_AUTH flow not enabled for this client',
    );
  });

  test('a factor the pool does not allow, WEB_AUTHN, an unknown one, a missing USERNAME', async () => {
    const { clientId } = await userAuthPool({ factors: ['PASSWORD', 'EMAIL_OTP'] });
    await emailUser(clientId, 'ref-ann');
    await expectError(
      initiate(clientId, { USERNAME: 'ref-ann', PREFERRED_CHALLENGE: 'SMS_OTP' }),
      'InvalidParameterException',
      'SMS_OTP is not an allowed first auth factor of this user pool.',
    );
    await expectError(
      initiate(clientId, { USERNAME: 'ref-ann', PREFERRED_CHALLENGE: 'WEB_AUTHN' }),
      'InvalidParameterException',
      /PREFERRED_CHALLENGE WEB_AUTHN is not supported by Cognate \(yet\)/,
    );
    await expectError(
      initiate(clientId, { USERNAME: 'ref-ann', PREFERRED_CHALLENGE: 'CARRIER_PIGEON' }),
      'InvalidParameterException',
      /CARRIER_PIGEON is not a first factor/,
    );
    await expectError(initiate(clientId, {}), 'InvalidParameterException', 'Missing required parameter USERNAME');
    await expectError(
      initiate(clientId, { USERNAME: 'ref-ann', PREFERRED_CHALLENGE: 'EMAIL_OTP', PASSWORD }),
      'InvalidParameterException',
      'PASSWORD is read only with PREFERRED_CHALLENGE PASSWORD.',
    );
    await expectError(
      initiate(clientId, { USERNAME: 'ref-ann', SRP_A: 'abc' }),
      'InvalidParameterException',
      'SRP_A is read only with PREFERRED_CHALLENGE PASSWORD_SRP.',
    );
  });

  test('a pool that requires MFA does not offer codes as a first factor', async () => {
    const { clientId } = await userAuthPool({ pool: { MfaConfiguration: 'ON' } });
    await emailUser(clientId, 'ref-mfa');
    const select = await initiate(clientId, { USERNAME: 'ref-mfa' });
    assert.deepEqual(select.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
    await expectError(
      initiate(clientId, { USERNAME: 'ref-mfa', PREFERRED_CHALLENGE: 'EMAIL_OTP' }),
      'InvalidParameterException',
      'EMAIL_OTP is not available: this user pool requires MFA (docs/passwordless.md).',
    );
  });

  test('an unknown user is told so where existence is not hidden', async () => {
    const { clientId } = await userAuthPool();
    await expectError(initiate(clientId, { USERNAME: 'nobody-here' }), 'UserNotFoundException');
    await expectError(
      initiate(clientId, { USERNAME: 'nobody-here', PREFERRED_CHALLENGE: 'EMAIL_OTP' }),
      'UserNotFoundException',
    );
  });

  test('Session on InitiateAuth (sign-in after sign-up) stays refused naming it', async () => {
    const { clientId } = await userAuthPool();
    await expectError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_AUTH',
          AuthParameters: { USERNAME: 'x' },
          Session: 'a'.repeat(40),
        }),
      ),
      'InvalidParameterException',
      /Session is not supported by Cognate \(yet\)/,
    );
  });
});

describe('existence hiding', () => {
  /** The shape of a challenge, without what differs between any two answers (sessions, masked letters). */
  const shape = (answer: InitiateAuthCommandOutput) => ({
    ChallengeName: answer.ChallengeName,
    keys: Object.keys(answer.ChallengeParameters ?? {}).sort(),
    AvailableChallenges: answer.AvailableChallenges,
    session: answer.Session?.split('.')[0],
  });

  test('an unknown user gets the same SELECT_CHALLENGE and a stand-in code challenge; no code is sent', async () => {
    const { clientId } = await userAuthPool({ hidden: true });
    const email = await emailUser(clientId, 'hid-ann');
    const known = await initiate(clientId, { USERNAME: 'hid-ann' });
    const unknown = await initiate(clientId, { USERNAME: 'hid-nobody' });
    assert.deepEqual(shape(unknown), shape(known));
    // Where existence is hidden the choices are the pool's, whoever asks.
    assert.deepEqual(known.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);

    const mailsBefore = t.smtp.messages.length;
    const standIn = await initiate(clientId, { USERNAME: 'ghost@example.com', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
    const real = await emailChallenge(clientId, 'hid-ann', email);
    assert.deepEqual(shape(standIn), shape(real.challenge));
    assert.equal(t.smtp.messages.length, mailsBefore + 1, 'only the real user got a mail');
    await expectError(
      respond(clientId, 'EMAIL_OTP', standIn.Session, { USERNAME: 'ghost@example.com', EMAIL_OTP_CODE: real.code }),
      'CodeMismatchException',
    );
    // A known user who cannot use the factor (no phone) is answered as an unknown one.
    const noPhone = await initiate(clientId, { USERNAME: 'hid-ann', PREFERRED_CHALLENGE: 'SMS_OTP' });
    assert.equal(noPhone.ChallengeName, 'SMS_OTP');
    await expectError(
      respond(clientId, 'SMS_OTP', noPhone.Session, { USERNAME: 'hid-ann', SMS_OTP_CODE: '123456' }),
      'CodeMismatchException',
    );
    // The password choice fails for an unknown user as a wrong password does.
    const select = await initiate(clientId, { USERNAME: 'hid-nobody' });
    await expectError(
      respond(clientId, 'SELECT_CHALLENGE', select.Session, { USERNAME: 'hid-nobody', ANSWER: 'PASSWORD', PASSWORD }),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
  });
});

describe('limits', () => {
  test('codes per user and hour stop at the pool’s sendsPerHour, for known and unknown names alike', async () => {
    const { clientId, poolId } = await userAuthPool({ hidden: true });
    const email = await emailUser(clientId, 'lim-ann');
    const perHour = (await t.services.pools.getPool(poolId)).policies.codes.sendsPerHour;
    const seen = mailsTo(t, email);
    for (let i = 0; i < perHour; i += 1) {
      await initiate(clientId, { USERNAME: 'lim-ann', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      await initiate(clientId, { USERNAME: 'lim-nobody', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
    }
    assert.equal(mailsTo(t, email), seen + perHour);
    for (const name of ['lim-ann', 'lim-nobody']) {
      await expectError(
        initiate(clientId, { USERNAME: name, PREFERRED_CHALLENGE: 'EMAIL_OTP' }),
        'LimitExceededException',
        'Attempt limit exceeded, please try after some time.',
      );
    }
    assert.equal(mailsTo(t, email), seen + perHour, 'no mail past the limit');
    // The password is still there.
    const signedIn = await initiate(clientId, { USERNAME: 'lim-ann', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD });
    assert.ok(signedIn.AuthenticationResult?.AccessToken);
  });
});

describe('GetUserAuthFactors', () => {
  test('the first factors the user can use, and no MFA', async () => {
    const { clientId } = await userAuthPool();
    const email = await emailUser(clientId, 'fac-ann');
    const { challenge, code } = await emailChallenge(clientId, 'fac-ann', email);
    const signedIn = await respond(clientId, 'EMAIL_OTP', challenge.Session, {
      USERNAME: 'fac-ann',
      EMAIL_OTP_CODE: code,
    });
    const factors = await t.sdk.send(
      new GetUserAuthFactorsCommand({ AccessToken: signedIn.AuthenticationResult!.AccessToken }),
    );
    assert.equal(factors.Username, 'fac-ann');
    assert.deepEqual(factors.ConfiguredUserAuthFactors, ['PASSWORD', 'EMAIL_OTP']);
    assert.equal(factors.PreferredMfaSetting, undefined);
    assert.equal(factors.UserMFASettingList, undefined);
    await expectError(
      t.sdk.send(new GetUserAuthFactorsCommand({ AccessToken: 'not.a.token' })),
      'NotAuthorizedException',
    );
  });
});
