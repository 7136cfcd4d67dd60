#!/usr/bin/env node
/**
 * A ready-made UserMigration hook (docs/migrating-from-cognito.md): it answers Cognate's
 * UserMigration events by asking the live Cognito user pool the users come from, through the
 * AWS SDK, so they move at their first sign-in with their old password and never reset it.
 *
 *   HOOK_SECRET=whsec_… OLD_USER_POOL_ID=eu-west-1_AbC OLD_CLIENT_ID=… PORT=9001 \
 *     node dist/cli/cognito-migration-hook.js
 *
 * UserMigration_Authentication: InitiateAuth USER_PASSWORD_AUTH against the old pool's app client
 * (AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH with OLD_POOL_ADMIN=on), then GetUser with the access
 * token for the attributes; a wrong password or an unknown user is refused (400, Lambda's error
 * shape). UserMigration_ForgotPassword: AdminGetUser, which needs AWS credentials (OLD_POOL_ADMIN=on);
 * without them it is refused. Calls are checked as every Cognate hook's (src/cli/signed-hook-server.ts).
 */
import { createHmac } from 'node:crypto';
import { realpathSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSignedHookServer, parseSecrets, stdoutLog, type HookLog } from './signed-hook-server.ts';

type Sdk = typeof import('@aws-sdk/client-cognito-identity-provider');
type AttributeList = { Name?: string; Value?: string }[] | undefined;

export interface MigrationHookOptions {
  secrets: string[];
  /** The old pool: its id, and an app client that allows USER_PASSWORD_AUTH (or ADMIN_USER_PASSWORD_AUTH). */
  userPoolId: string;
  clientId: string;
  /** The old app client's secret, when it has one (SECRET_HASH is sent with each call). */
  clientSecret?: string;
  /** Default: the region the pool id names. */
  region?: string;
  /** Another endpoint than Cognito's (a stand-in, a VPC endpoint). */
  endpoint?: string;
  /** AWS credentials are at hand (the SDK's default chain): AdminInitiateAuth and AdminGetUser are used. */
  admin?: boolean;
  /** Attributes of the old pool the new one does not have, left out of the answer. */
  omitAttributes?: string[];
  /** AWS credentials for the admin calls; by default the SDK's chain (environment, profile, role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  log?: HookLog;
}

/** Attributes no hook may write: Cognito (and Cognate) make them. */
const NOT_WRITABLE = new Set(['sub', 'identities']);

/** The old user's attributes as userAttributes: all but those no one may write, and those left out. */
export function writableAttributes(list: AttributeList, omit: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { Name, Value } of list ?? []) {
    if (!Name || Value === undefined) continue;
    if (NOT_WRITABLE.has(Name) || Name.startsWith('cognito:') || omit.has(Name)) continue;
    out[Name] = Value;
  }
  return out;
}

/** A refusal, answered as a Lambda that threw: Cognate says `UserMigration failed with error <message>.`. */
class Refusal extends Error {}

/** The old pool's errors that mean "not this user with this password": one message for all, so none tells which. */
const NOT_THE_USER = new Set(['NotAuthorizedException', 'UserNotFoundException']);

export async function createMigrationHookServer(options: MigrationHookOptions): Promise<Server> {
  let sdk: Sdk;
  try {
    sdk = await import('@aws-sdk/client-cognito-identity-provider');
  } catch {
    throw new Error(
      'the AWS SDK (@aws-sdk/client-cognito-identity-provider) is not installed: it is an optional dependency of Cognate; install it with npm install (without --omit=optional)',
    );
  }
  const log = options.log ?? stdoutLog;
  const region = options.region ?? options.userPoolId.split('_')[0]!;
  const client = new sdk.CognitoIdentityProviderClient({
    region,
    ...(options.endpoint && { endpoint: options.endpoint }),
    ...(options.credentials && { credentials: options.credentials }),
    maxAttempts: 2,
  });
  const omit = new Set(options.omitAttributes ?? []);
  const secretHash = (username: string): Record<string, string> =>
    options.clientSecret
      ? {
          SECRET_HASH: createHmac('sha256', options.clientSecret)
            .update(username + options.clientId)
            .digest('base64'),
        }
      : {};

  async function adminAttributes(username: string) {
    const user = await client.send(new sdk.AdminGetUserCommand({ UserPoolId: options.userPoolId, Username: username }));
    if (user.Enabled === false) throw new Refusal('User is disabled');
    return { attributes: writableAttributes(user.UserAttributes, omit), status: user.UserStatus };
  }

  /** Signs the user in to the old pool: their attributes and the status to give them here. */
  async function authenticate(username: string, password: string) {
    const parameters: Record<string, string> = { USERNAME: username, PASSWORD: password, ...secretHash(username) };
    const result = options.admin
      ? await client.send(
          new sdk.AdminInitiateAuthCommand({
            UserPoolId: options.userPoolId,
            ClientId: options.clientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH' as const,
            AuthParameters: parameters,
          }),
        )
      : await client.send(
          new sdk.InitiateAuthCommand({
            ClientId: options.clientId,
            AuthFlow: 'USER_PASSWORD_AUTH' as const,
            AuthParameters: parameters,
          }),
        );
    const accessToken = result.AuthenticationResult?.AccessToken;
    if (accessToken) {
      const user = await client.send(new sdk.GetUserCommand({ AccessToken: accessToken }));
      return { attributes: writableAttributes(user.UserAttributes, omit), finalUserStatus: 'CONFIRMED' };
    }
    // The password is right, but the old pool asks for more (MFA, a new password): no token to read
    // the attributes with, so only the admin read can bring the user.
    if (!options.admin) {
      throw new Refusal(`The old user pool asks for ${result.ChallengeName ?? 'a challenge'}; set OLD_POOL_ADMIN=on`);
    }
    // Only a temporary password (NEW_PASSWORD_REQUIRED) migrates without tokens: any other challenge
    // (a second factor, MFA set-up, a custom challenge) is not met by the password alone, and
    // Cognate has no MFA to carry it over (docs/migrating-from-cognito.md).
    if (result.ChallengeName !== 'NEW_PASSWORD_REQUIRED') {
      throw new Refusal(
        `The old user pool asks for ${result.ChallengeName ?? 'a challenge'}, which the password alone does not meet`,
      );
    }
    const { attributes } = await adminAttributes(username);
    // A temporary password is not one to keep: the user sets their own through forgot password.
    return { attributes, finalUserStatus: 'RESET_REQUIRED' };
  }

  async function answerEvent(event: Record<string, unknown>): Promise<Record<string, unknown>> {
    const userName = String(event.userName ?? '');
    if (event.triggerSource === 'UserMigration_Authentication') {
      const password = (event.request as Record<string, unknown> | undefined)?.password;
      if (typeof password !== 'string') throw new Refusal('The event carries no password');
      const { attributes, finalUserStatus } = await authenticate(userName, password);
      return { userAttributes: attributes, finalUserStatus, messageAction: 'SUPPRESS' };
    }
    if (event.triggerSource === 'UserMigration_ForgotPassword') {
      if (!options.admin) {
        throw new Refusal('Forgot password cannot migrate without AWS credentials for the old pool (OLD_POOL_ADMIN)');
      }
      const { attributes } = await adminAttributes(userName);
      return { userAttributes: attributes, finalUserStatus: 'RESET_REQUIRED', messageAction: 'SUPPRESS' };
    }
    throw new Refusal(`This hook answers UserMigration events, not ${String(event.triggerSource)}`);
  }

  return createSignedHookServer({
    secrets: options.secrets,
    log,
    async answer(event, { webhookId }) {
      if (typeof event !== 'object' || event === null) return { status: 400, body: { message: 'Not an event' } };
      const e = event as Record<string, unknown>;
      try {
        const response = await answerEvent(e);
        log({ level: 'info', msg: 'user migrated', webhookId, triggerSource: e.triggerSource });
        return { status: 200, body: { ...e, response: { ...(e.response as object), ...response } } };
      } catch (error) {
        const name = (error as Error).name;
        if (error instanceof Refusal || NOT_THE_USER.has(name)) {
          const message = error instanceof Refusal ? error.message : 'Incorrect username or password';
          log({
            level: 'info',
            msg: 'migration refused',
            webhookId,
            reason: error instanceof Refusal ? message : name,
          });
          return { status: 400, body: { errorType: 'Refused', errorMessage: message } };
        }
        if (name === 'PasswordResetRequiredException' || name === 'UserNotConfirmedException') {
          // The old pool would not sign them in either: the user finishes there, or resets here.
          log({ level: 'info', msg: 'migration refused', webhookId, reason: name });
          return {
            status: 400,
            body: { errorType: 'Refused', errorMessage: (error as Error).message.replace(/\.$/, '') },
          };
        }
        // Anything else (the old pool unreachable, throttled): a 5xx, so Cognate retries, then says the hook failed.
        log({ level: 'error', msg: 'the old user pool could not be asked', webhookId, error: String(error) });
        return { status: 502, body: { message: 'The old user pool could not be asked' } };
      }
    },
  });
}

function onOff(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'off' || value === 'false' || value === '0') return false;
  if (value === 'on' || value === 'true' || value === '1') return true;
  throw new Error(`${name} must be on or off`);
}

export function optionsFromEnv(env: NodeJS.ProcessEnv): MigrationHookOptions {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const secrets = parseSecrets(env.HOOK_SECRET);
  const userPoolId = required('OLD_USER_POOL_ID');
  if (!/^[\w-]+_[0-9a-zA-Z]+$/.test(userPoolId))
    throw new Error('OLD_USER_POOL_ID must be a user pool id, <region>_<id>');
  return {
    secrets,
    userPoolId,
    clientId: required('OLD_CLIENT_ID'),
    ...(env.OLD_CLIENT_SECRET && { clientSecret: env.OLD_CLIENT_SECRET }),
    ...(env.OLD_POOL_REGION && { region: env.OLD_POOL_REGION }),
    ...(env.OLD_POOL_ENDPOINT && { endpoint: env.OLD_POOL_ENDPOINT }),
    admin: onOff('OLD_POOL_ADMIN', env.OLD_POOL_ADMIN),
    omitAttributes: (env.OMIT_ATTRIBUTES ?? '').split(/[\s,]+/).filter(Boolean),
  };
}

async function main(env: NodeJS.ProcessEnv) {
  const options = optionsFromEnv(env);
  const port = Number(env.PORT ?? 9001);
  const host = env.HOST ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number');
  const server = await createMigrationHookServer(options);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : port;
  stdoutLog({
    level: 'info',
    msg: `Cognito migration hook listening on http://${host}:${listening}`,
    oldUserPoolId: options.userPoolId,
    admin: options.admin,
  });
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// Run as a program (also through npm's bin link), not when a test imports it.
const invokedAs = process.argv[1] ? realpathSync(path.resolve(process.argv[1])) : '';
if (invokedAs && import.meta.url === pathToFileURL(invokedAs).href) {
  main(process.env).catch((error: unknown) => {
    process.stderr.write(`cognate-migration-hook: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
