/**
 * Issue 18: server-side sign-in (AdminInitiateAuth, AdminRespondToAuthChallenge) and the
 * administrator's password actions (AdminSetUserPassword, AdminResetUserPassword) through the AWS
 * SDK v3, with real hooks, SMTP capture and the Twilio stand-in (docs/admin-auth.md).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  ConfirmDeviceCommand,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  GetUserCommand,
  InitiateAuthCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
  type AdminInitiateAuthCommandInput,
  type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secret, TOTP } from 'otpauth';
import { AWS_KEY, startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';
import { deviceProof, deviceSrpStart, deviceVerifier } from '../support/device-srp.ts';
import { startHookServer, type HookHandler, type HookServer } from '../support/hook-server.ts';
import { createPool, expectError, PASSWORD } from '../support/sdk-flows.ts';
import { mailsTo, newCodeFor, uniqueEmail, uniquePhone } from '../support/user-flows.ts';

let t: CognitoTestApp;
let hook: HookServer;
let poolId: string;
let clientId: string;
/** A client of the same pool that does not allow ALLOW_ADMIN_USER_PASSWORD_AUTH. */
let userOnlyClientId: string;

const NEW_PASSWORD = 'N3w-Passw0rd!';
const ADMIN_FLOWS: ExplicitAuthFlowsType[] = [
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_USER_AUTH',
];
const OLD_PASSWORD = 'Legacy-passw0rd';

const totp = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: Date.now() + steps * 30_000,
  });

/** Custom auth: one CUSTOM_CHALLENGE whose answer is 4242; every other trigger answers its event unchanged. */
const hooks: HookHandler = (request) => {
  const event = request.body;
  switch (event.triggerSource) {
    case 'DefineAuthChallenge_Authentication': {
      const session = event.request.session as Array<{ challengeResult: boolean }>;
      const done = session.length > 0 && session.at(-1)!.challengeResult;
      const response = done
        ? { issueTokens: true, failAuthentication: false }
        : session.length >= 2
          ? { issueTokens: false, failAuthentication: true }
          : { challengeName: 'CUSTOM_CHALLENGE', issueTokens: false, failAuthentication: false };
      return { status: 200, body: { ...event, response: { ...event.response, ...response } } };
    }
    case 'CreateAuthChallenge_Authentication':
      return {
        status: 200,
        body: {
          ...event,
          response: {
            publicChallengeParameters: { hint: 'the answer' },
            privateChallengeParameters: { answer: '4242' },
          },
        },
      };
    case 'UserMigration_Authentication':
      // The old directory knows `migrant-*` with OLD_PASSWORD.
      if (!event.userName.startsWith('migrant') || event.request.password !== OLD_PASSWORD)
        return { status: 400, body: { errorType: 'Error', errorMessage: 'Bad password' } };
      return {
        status: 200,
        body: {
          ...event,
          response: {
            userAttributes: { email: uniqueEmail('migrant'), email_verified: 'true' },
            finalUserStatus: 'CONFIRMED',
            messageAction: 'SUPPRESS',
          },
        },
      };
    case 'VerifyAuthChallengeResponse_Authentication':
      return {
        status: 200,
        body: { ...event, response: { answerCorrect: event.request.challengeAnswer === '4242' } },
      };
    default:
      return { status: 200, body: event };
  }
};

const sources = () => hook.requests.map((r) => r.body.triggerSource as string);

before(async () => {
  t = await startCognitoApp({}, { hookPolicy: { timeoutMs: 2000, retryDelayMs: 10, maxAttempts: 1 } });
  hook = await startHookServer({ handler: hooks });
  poolId = await createPool(t, {
    PoolName: 'admin-auth',
    AutoVerifiedAttributes: ['email'],
    MfaConfiguration: 'OPTIONAL',
    LambdaConfig: {
      PreAuthentication: hook.url,
      PostAuthentication: hook.url,
      PreTokenGeneration: hook.url,
      DefineAuthChallenge: hook.url,
      CreateAuthChallenge: hook.url,
      VerifyAuthChallengeResponse: hook.url,
      CustomMessage: hook.url,
      UserMigration: hook.url,
    },
  });
  await t.sdk.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      MfaConfiguration: 'OPTIONAL',
      SmsMfaConfiguration: { SmsAuthenticationMessage: 'Your MFA code: {####}' },
      SoftwareTokenMfaConfiguration: { Enabled: true },
    }),
  );
  clientId = await newClient(poolId, ADMIN_FLOWS);
  userOnlyClientId = await newClient(poolId, ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
});
after(async () => {
  await hook?.close();
  await t?.close();
});
beforeEach(() => {
  hook.handle(hooks);
  hook.requests.length = 0;
});

async function newClient(pool: string, flows: ExplicitAuthFlowsType[]) {
  const { UserPoolClient } = await t.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: pool,
      ClientName: 'server',
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: flows,
    }),
  );
  return UserPoolClient!.ClientId!;
}

/** AdminCreateUser (no invitation) with a verified email, then a permanent password: a CONFIRMED user. */
async function user(name: string, attributes: Record<string, string> = {}) {
  const email = uniqueEmail(name);
  await t.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: name,
      MessageAction: 'SUPPRESS',
      UserAttributes: Object.entries({ email, email_verified: 'true', ...attributes }).map(([Name, Value]) => ({
        Name,
        Value,
      })),
    }),
  );
  await setPassword(name, PASSWORD, true);
  return email;
}

const setPassword = (name: string, password: string, permanent?: boolean) =>
  t.sdk.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: poolId,
      Username: name,
      Password: password,
      ...(permanent !== undefined && { Permanent: permanent }),
    }),
  );

const status = async (name: string) =>
  (await t.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: name }))).UserStatus;

const adminAuth = (input: Partial<AdminInitiateAuthCommandInput> & Pick<AdminInitiateAuthCommandInput, 'AuthFlow'>) =>
  t.sdk.send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, ...input }));

const adminSignIn = (name: string, password = PASSWORD, client = clientId) =>
  adminAuth({
    ClientId: client,
    AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: name, PASSWORD: password },
  });

const adminRespond = (name: string, session: string | undefined, responses: Record<string, string>) =>
  t.sdk.send(
    new AdminRespondToAuthChallengeCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      ChallengeName: name as never,
      Session: session,
      ChallengeResponses: responses,
    }),
  );

async function tokensOf(name: string, password = PASSWORD) {
  const result = await adminSignIn(name, password);
  assert.equal(result.ChallengeName, undefined, `no challenge for ${name}`);
  const tokens = result.AuthenticationResult!;
  assert.ok(tokens.AccessToken && tokens.RefreshToken);
  return { accessToken: tokens.AccessToken, refreshToken: tokens.RefreshToken };
}

/** Both halves of a session are over: GetUser refuses the access token, a refresh refuses the refresh token. */
async function assertEnded(session: { accessToken: string; refreshToken: string }) {
  await expectError(t.sdk.send(new GetUserCommand({ AccessToken: session.accessToken })), 'NotAuthorizedException');
  await expectError(
    adminAuth({ AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: session.refreshToken } }),
    'NotAuthorizedException',
  );
}

describe('AdminInitiateAuth', () => {
  it('ADMIN_USER_PASSWORD_AUTH and ADMIN_NO_SRP_AUTH answer tokens; hooks get Cognito’s trigger sources; refresh works', async () => {
    await user('ann');
    hook.requests.length = 0;
    const result = await adminAuth({
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'ann', PASSWORD },
      ClientMetadata: { origin: 'backend' },
      ContextData: { IpAddress: '192.0.2.1', ServerName: 'api', ServerPath: '/login', HttpHeaders: [] },
    });
    assert.ok(result.AuthenticationResult?.AccessToken && result.AuthenticationResult.RefreshToken);
    assert.deepEqual(sources(), [
      'PreAuthentication_Authentication',
      'PostAuthentication_Authentication',
      'TokenGeneration_Authentication',
    ]);
    // Cognito hands the sign-in's ClientMetadata to PreAuthentication as validationData.
    assert.deepEqual(hook.requests[0]!.body.request.validationData, { origin: 'backend' });
    assert.equal(hook.requests[0]!.body.callerContext.clientId, clientId);

    const older = await adminAuth({ AuthFlow: 'ADMIN_NO_SRP_AUTH', AuthParameters: { USERNAME: 'ann', PASSWORD } });
    assert.ok(older.AuthenticationResult?.IdToken);

    hook.requests.length = 0;
    for (const flow of ['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN'] as const) {
      const refreshed = await adminAuth({
        AuthFlow: flow,
        AuthParameters: { REFRESH_TOKEN: result.AuthenticationResult.RefreshToken },
      });
      assert.ok(refreshed.AuthenticationResult?.AccessToken);
      assert.equal(refreshed.AuthenticationResult.RefreshToken, undefined);
    }
    assert.deepEqual(sources(), ['TokenGeneration_RefreshTokens', 'TokenGeneration_RefreshTokens']);
  });

  it('is signed: another key is refused before anything is read', async () => {
    const stranger = t.sdkWith({ accessKeyId: 'AKIAOTHERKEY00000001', secretAccessKey: AWS_KEY.secretAccessKey });
    await expectError(
      stranger.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'ann', PASSWORD },
        }),
      ),
      'UnrecognizedClientException',
    );
    const wrongSecret = t.sdkWith({ accessKeyId: AWS_KEY.accessKeyId, secretAccessKey: 'not-the-secret' });
    await expectError(
      wrongSecret.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'ann', Password: 'x' })),
      'InvalidSignatureException',
    );
    assert.equal(hook.requests.length, 0);
  });

  it('the flow must be allowed, be the admin face’s, and the client be the pool’s', async () => {
    await user('bo');
    await expectError(
      adminSignIn('bo', PASSWORD, userOnlyClientId),
      'InvalidParameterException',
      'ADMIN_USER_PASSWORD_AUTH flow not enabled for this client',
    );
    await expectError(
      adminAuth({ AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'bo', PASSWORD } }),
      'InvalidParameterException',
      /use ADMIN_USER_PASSWORD_AUTH/,
    );
    await expectError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'bo', PASSWORD },
        }),
      ),
      'InvalidParameterException',
      /AdminInitiateAuth, not InitiateAuth/,
    );
    await expectError(
      adminAuth({ AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'bo' } }),
      'InvalidParameterException',
      'Missing required parameter PASSWORD',
    );
    const otherPool = await createPool(t, { PoolName: 'other' });
    const otherClient = await newClient(otherPool, ADMIN_FLOWS);
    await expectError(adminSignIn('bo', PASSWORD, otherClient), 'ResourceNotFoundException', /User pool client/);
    await expectError(
      t.sdk.send(
        new AdminInitiateAuthCommand({
          UserPoolId: 'us-east-1_doesNotExist',
          ClientId: clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'bo', PASSWORD },
        }),
      ),
      'ResourceNotFoundException',
    );
  });

  it('a wrong password and an unknown name answer alike where existence is hidden, and lock the user out as InitiateAuth does', async () => {
    await user('cy');
    await expectError(adminSignIn('cy', 'wrong-1'), 'NotAuthorizedException', 'Incorrect username or password.');
    await expectError(
      adminSignIn('nobody-here', 'wrong-1'),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
    for (let i = 2; i <= 5; i++) await expectError(adminSignIn('cy', `wrong-${i}`), 'NotAuthorizedException');
    // Five failures: the next try, right password included, is refused (as on InitiateAuth, per user and source).
    await expectError(adminSignIn('cy', PASSWORD), 'NotAuthorizedException', 'Password attempts exceeded');
    await expectError(
      t.sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'cy', PASSWORD },
        }),
      ),
      'NotAuthorizedException',
      'Password attempts exceeded',
    );
  });

  it('an unknown name is migrated by the pool’s UserMigration hook, as on USER_PASSWORD_AUTH', async () => {
    await expectError(
      adminSignIn('migrant-1', 'not-the-old-one'),
      'NotAuthorizedException',
      'Incorrect username or password.',
    );
    hook.requests.length = 0;
    const result = await adminSignIn('migrant-1', OLD_PASSWORD);
    assert.ok(result.AuthenticationResult?.AccessToken);
    assert.deepEqual(sources(), [
      'UserMigration_Authentication',
      'PreAuthentication_Authentication',
      'PostAuthentication_Authentication',
      'TokenGeneration_Authentication',
    ]);
    assert.equal(await status('migrant-1'), 'CONFIRMED');
  });

  it('USER_AUTH: the PASSWORD factor at once, or SELECT_CHALLENGE answered with AdminRespondToAuthChallenge', async () => {
    await user('uma');
    const direct = await adminAuth({
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: 'uma', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD },
    });
    assert.ok(direct.AuthenticationResult?.AccessToken);
    const select = await adminAuth({ AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'uma' } });
    assert.equal(select.ChallengeName, 'SELECT_CHALLENGE');
    assert.ok(select.AvailableChallenges?.includes('PASSWORD'));
    const done = await adminRespond('SELECT_CHALLENGE', select.Session, {
      USERNAME: 'uma',
      ANSWER: 'PASSWORD',
      PASSWORD,
    });
    assert.ok(done.AuthenticationResult?.AccessToken);
  });

  it('a remembered device proves itself with DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER on the admin face', async () => {
    const devicePoolId = await createPool(t, {
      PoolName: 'admin-devices',
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false },
    });
    const deviceClientId = await newClient(devicePoolId, ADMIN_FLOWS);
    const on = { UserPoolId: devicePoolId, ClientId: deviceClientId };
    await t.sdk.send(
      new AdminCreateUserCommand({ UserPoolId: devicePoolId, Username: 'dev', MessageAction: 'SUPPRESS' }),
    );
    await t.sdk.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: devicePoolId,
        Username: 'dev',
        Password: PASSWORD,
        Permanent: true,
      }),
    );
    const signIn = (deviceKey?: string) =>
      t.sdk.send(
        new AdminInitiateAuthCommand({
          ...on,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'dev', PASSWORD, ...(deviceKey && { DEVICE_KEY: deviceKey }) },
        }),
      );
    const first = (await signIn()).AuthenticationResult!;
    const { DeviceKey, DeviceGroupKey } = first.NewDeviceMetadata!;
    const { secret, config } = deviceVerifier(DeviceKey!, DeviceGroupKey!);
    await t.sdk.send(
      new ConfirmDeviceCommand({ AccessToken: first.AccessToken, DeviceKey, DeviceSecretVerifierConfig: config }),
    );
    const respond = (name: string, session: string | undefined, responses: Record<string, string>) =>
      t.sdk.send(
        new AdminRespondToAuthChallengeCommand({
          ...on,
          ChallengeName: name as never,
          Session: session,
          ChallengeResponses: responses,
        }),
      );
    const prove = async () => {
      const challenged = await signIn(DeviceKey);
      assert.equal(challenged.ChallengeName, 'DEVICE_SRP_AUTH');
      const start = deviceSrpStart();
      const verifier = await respond('DEVICE_SRP_AUTH', challenged.Session, {
        USERNAME: 'dev',
        DEVICE_KEY: DeviceKey!,
        SRP_A: start.srpA,
      });
      assert.equal(verifier.ChallengeName, 'DEVICE_PASSWORD_VERIFIER');
      return { verifier, answers: deviceProof(secret, start, verifier.ChallengeParameters!) };
    };
    const proven = await prove();
    const done = await respond('DEVICE_PASSWORD_VERIFIER', proven.verifier.Session, proven.answers);
    assert.ok(done.AuthenticationResult?.AccessToken);
    assert.equal(done.AuthenticationResult.NewDeviceMetadata, undefined, 'a proven device gets no new key');

    // A password set meanwhile ends the device's pending proof.
    const pending = await prove();
    await t.sdk.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: devicePoolId,
        Username: 'dev',
        Password: NEW_PASSWORD,
        Permanent: true,
      }),
    );
    await expectError(
      respond('DEVICE_PASSWORD_VERIFIER', pending.verifier.Session, pending.answers),
      'NotAuthorizedException',
    );
  });

  it('CUSTOM_AUTH runs the pool’s auth-challenge hooks; AdminRespondToAuthChallenge answers CUSTOM_CHALLENGE', async () => {
    await user('dee');
    hook.requests.length = 0;
    const started = await adminAuth({ AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: 'dee' } });
    assert.equal(started.ChallengeName, 'CUSTOM_CHALLENGE');
    assert.equal(started.ChallengeParameters!.hint, 'the answer');
    await expectError(
      adminRespond('CUSTOM_CHALLENGE', started.Session, { USERNAME: 'dee', ANSWER: '0000' }).then((r) =>
        adminRespond('CUSTOM_CHALLENGE', r.Session, { USERNAME: 'dee', ANSWER: '0000' }),
      ),
      'NotAuthorizedException',
    );
    const again = await adminAuth({ AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: 'dee' } });
    hook.requests.length = 0;
    const done = await adminRespond('CUSTOM_CHALLENGE', again.Session, { USERNAME: 'dee', ANSWER: '4242' });
    assert.ok(done.AuthenticationResult?.AccessToken);
    assert.deepEqual(sources(), [
      'VerifyAuthChallengeResponse_Authentication',
      'DefineAuthChallenge_Authentication',
      'PostAuthentication_Authentication',
      'TokenGeneration_Authentication',
    ]);
  });

  it('SOFTWARE_TOKEN_MFA and SMS_MFA are answered with AdminRespondToAuthChallenge', async () => {
    const phone = uniquePhone();
    await user('eve', { phone_number: phone, phone_number_verified: 'true' });
    const { accessToken } = await tokensOf('eve');
    const { SecretCode } = await t.sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
    await t.sdk.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totp(SecretCode!) }));
    await t.sdk.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: poolId,
        Username: 'eve',
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const started = await adminSignIn('eve');
    assert.equal(started.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    await expectError(
      adminRespond('SOFTWARE_TOKEN_MFA', started.Session, { USERNAME: 'eve', SOFTWARE_TOKEN_MFA_CODE: '000000' }),
      'CodeMismatchException',
    );
    const done = await adminRespond('SOFTWARE_TOKEN_MFA', started.Session, {
      USERNAME: 'eve',
      SOFTWARE_TOKEN_MFA_CODE: totp(SecretCode!, 1),
    });
    assert.ok(done.AuthenticationResult?.AccessToken);

    await t.sdk.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: poolId,
        Username: 'eve',
        SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
        SMSMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const bySms = await adminSignIn('eve');
    assert.equal(bySms.ChallengeName, 'SMS_MFA');
    const sms = await t.twilio.waitFor((m) => m.to === phone && m.body.startsWith('Your MFA code:'));
    const code = /\d{6}/.exec(sms.body)![0];
    const smsDone = await adminRespond('SMS_MFA', bySms.Session, { USERNAME: 'eve', SMS_MFA_CODE: code });
    assert.ok(smsDone.AuthenticationResult?.AccessToken);
  });
});

describe('AdminSetUserPassword', () => {
  it('permanent: CONFIRMED, the old password no longer works, and every session ends', async () => {
    await user('fay');
    const first = await tokensOf('fay');
    await setPassword('fay', NEW_PASSWORD, true);
    assert.equal(await status('fay'), 'CONFIRMED');
    await assertEnded(first);
    await expectError(adminSignIn('fay', PASSWORD), 'NotAuthorizedException');
    await tokensOf('fay', NEW_PASSWORD);
  });

  it('temporary: FORCE_CHANGE_PASSWORD, NEW_PASSWORD_REQUIRED at the next sign-in; a newer password ends an older challenge', async () => {
    await user('gus');
    const first = await tokensOf('gus');
    await setPassword('gus', 'Temp-Passw0rd1', false);
    assert.equal(await status('gus'), 'FORCE_CHANGE_PASSWORD');
    await assertEnded(first);
    const challenged = await adminSignIn('gus', 'Temp-Passw0rd1');
    assert.equal(challenged.ChallengeName, 'NEW_PASSWORD_REQUIRED');
    // Permanent left out is a temporary password, as in Cognito.
    await setPassword('gus', 'Temp-Passw0rd2');
    assert.equal(await status('gus'), 'FORCE_CHANGE_PASSWORD');
    await expectError(
      adminRespond('NEW_PASSWORD_REQUIRED', challenged.Session, { USERNAME: 'gus', NEW_PASSWORD }),
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
    );
    const current = await adminSignIn('gus', 'Temp-Passw0rd2');
    hook.requests.length = 0;
    const done = await adminRespond('NEW_PASSWORD_REQUIRED', current.Session, { USERNAME: 'gus', NEW_PASSWORD });
    assert.ok(done.AuthenticationResult?.AccessToken);
    assert.ok(sources().includes('TokenGeneration_NewPasswordChallenge'), sources().join());
    assert.equal(await status('gus'), 'CONFIRMED');
  });

  it('ends a pending MFA sign-in', async () => {
    await user('hal');
    const { accessToken } = await tokensOf('hal');
    const { SecretCode } = await t.sdk.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
    await t.sdk.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totp(SecretCode!) }));
    await t.sdk.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: poolId,
        Username: 'hal',
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const pending = await adminSignIn('hal');
    assert.equal(pending.ChallengeName, 'SOFTWARE_TOKEN_MFA');
    await setPassword('hal', NEW_PASSWORD, true);
    await expectError(
      adminRespond('SOFTWARE_TOKEN_MFA', pending.Session, {
        USERNAME: 'hal',
        SOFTWARE_TOKEN_MFA_CODE: totp(SecretCode!, 1),
      }),
      'NotAuthorizedException',
    );
  });

  it('works on an UNCONFIRMED user (permanent: CONFIRMED); bad input changes nothing', async () => {
    await user('ida');
    await expectError(setPassword('ida', 'short', true), 'InvalidPasswordException');
    await expectError(setPassword('ida', 'alllowercase1!', true), 'InvalidPasswordException');
    await expectError(setPassword('nobody-at-all', NEW_PASSWORD, true), 'UserNotFoundException');
    await expectError(
      t.sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'ida', Password: '' })),
      'InvalidParameterException',
    );
    await expectError(
      t.sdk.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: 'us-east-1_doesNotExist',
          Username: 'ida',
          Password: NEW_PASSWORD,
        }),
      ),
      'ResourceNotFoundException',
    );
    assert.equal(await status('ida'), 'CONFIRMED');
    await tokensOf('ida');

    // Self sign-up without confirming: UNCONFIRMED; a permanent password confirms it, as Cognito documents.
    await t.sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'jo',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: uniqueEmail('jo') }],
      }),
    );
    assert.equal(await status('jo'), 'UNCONFIRMED');
    await setPassword('jo', NEW_PASSWORD, true);
    assert.equal(await status('jo'), 'CONFIRMED');
    await tokensOf('jo', NEW_PASSWORD);
  });
});

describe('AdminResetUserPassword', () => {
  it('RESET_REQUIRED, a code by mail (CustomMessage_ForgotPassword), sessions ended; ConfirmForgotPassword sets the new password', async () => {
    const email = await user('kim');
    const first = await tokensOf('kim');
    const seen = mailsTo(t, email);
    hook.requests.length = 0;
    await t.sdk.send(
      new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'kim', ClientMetadata: { why: 'leak' } }),
    );
    assert.equal(await status('kim'), 'RESET_REQUIRED');
    await assertEnded(first);
    const code = await newCodeFor(t, email, seen);
    const message = hook.requests.find((r) => r.body.triggerSource === 'CustomMessage_ForgotPassword');
    assert.ok(message, sources().join());
    assert.deepEqual(message.body.request.clientMetadata, { why: 'leak' });

    // The old password proves who the user is, and is told to reset; a wrong one is just wrong.
    await expectError(adminSignIn('kim', PASSWORD), 'PasswordResetRequiredException');
    await expectError(adminSignIn('kim', 'wrong-password'), 'NotAuthorizedException');

    await t.sdk.send(
      new ConfirmForgotPasswordCommand({
        ClientId: clientId,
        Username: 'kim',
        ConfirmationCode: code,
        Password: NEW_PASSWORD,
      }),
    );
    assert.equal(await status('kim'), 'CONFIRMED');
    await tokensOf('kim', NEW_PASSWORD);
  });

  it('ends a pending custom-auth sign-in', async () => {
    await user('lee');
    const pending = await adminAuth({ AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: 'lee' } });
    assert.equal(pending.ChallengeName, 'CUSTOM_CHALLENGE');
    await t.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'lee' }));
    await expectError(
      adminRespond('CUSTOM_CHALLENGE', pending.Session, { USERNAME: 'lee', ANSWER: '4242' }),
      'NotAuthorizedException',
    );
  });

  it('is refused, changing nothing, without a verified recovery channel, with admin_only recovery, or for an unknown user', async () => {
    await t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'max',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: uniqueEmail('max') }],
      }),
    );
    await setPassword('max', PASSWORD, true);
    const session = await tokensOf('max');
    await expectError(
      t.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'max' })),
      'InvalidParameterException',
      'Cannot reset password for the user as there is no registered/verified email or phone_number',
    );
    assert.equal(await status('max'), 'CONFIRMED');
    // Nothing ended either.
    await t.sdk.send(new GetUserCommand({ AccessToken: session.accessToken }));
    await expectError(
      t.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'nobody-at-all' })),
      'UserNotFoundException',
    );

    const adminOnly = await createPool(t, {
      PoolName: 'admin-only',
      AutoVerifiedAttributes: ['email'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] },
    });
    await t.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: adminOnly,
        Username: 'ned',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: uniqueEmail('ned') },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await expectError(
      t.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: adminOnly, Username: 'ned' })),
      'InvalidParameterException',
      /admin_only/,
    );
    const ned = await t.sdk.send(new AdminGetUserCommand({ UserPoolId: adminOnly, Username: 'ned' }));
    assert.equal(ned.UserStatus, 'FORCE_CHANGE_PASSWORD');

    // A disabled user could not finish the reset: refused.
    await user('oz');
    await t.sdk.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'oz' }));
    await expectError(
      t.sdk.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'oz' })),
      'NotAuthorizedException',
      'User is disabled.',
    );
    assert.equal(await status('oz'), 'CONFIRMED');
  });
});
