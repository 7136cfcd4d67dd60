import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { CognitoError, isCognitoError } from '../../errors/cognito-error.ts';
import type { Logger } from '../../lib/logger.ts';
import { isEmailAddress, isPhoneNumber, prepareNewUser } from '../attributes/index.ts';
import { attributeChanges, recordAudit } from '../audit/audit.ts';
import { comparedName } from '../hidden-existence/hidden-existence.ts';
import type { Hooks } from '../hooks/hooks.types.ts';
import type { AppClient, Pool } from '../pools/pools.types.ts';
import { answerFlag, answerText, withClientMetadata, type ClientMetadata } from '../triggers/trigger-events.ts';
import type { PasswordHasher } from '../user-store/passwords.ts';
import {
  findUserBySignInName,
  insertAttributes,
  insertUser,
  loadAttributes,
  newUserIdentity,
  newUserRow,
  SIGN_IN_NAME_TAKEN,
  usernameKey,
  type UserRow,
} from '../user-store/users.repository.ts';

/**
 * Cognito's UserMigration trigger (docs/trigger-events.md, "UserMigration"; the walkthrough in
 * docs/migrating-from-cognito.md): a password sign-in or a ForgotPassword for a name no user of
 * the pool has asks the pool's hook, and its answer creates the user. The flows (sign-in,
 * recovery) decide when to ask and how a failure is answered; this module calls the hook, checks
 * the answer and writes the user.
 */

export type MigrationSource = 'UserMigration_Authentication' | 'UserMigration_ForgotPassword';

/** The answer's members, checked (each as docs/trigger-events.md describes). */
export interface MigrationAnswer {
  status: 'CONFIRMED' | 'RESET_REQUIRED';
  values: Record<string, string>;
  verified: Partial<Record<'email' | 'phone_number', boolean>>;
  forceAliasCreation: boolean;
}

const TRIGGER = 'UserMigration';
const invalidAnswer = (problem: string) =>
  new CognitoError('InvalidLambdaResponseException', `Invalid ${TRIGGER} response: ${problem}`);

/** How an alias-shaped name (an email in an email-alias pool) is matched to the answer's attribute. */
const ALIAS_SHAPES = [
  ['email', isEmailAddress],
  ['phone_number', isPhoneNumber],
] as const;

/**
 * Reads a hook's answer against the pool's rules: the attributes as an administrator may write
 * them (schema, verified flags), every required attribute present, and only the members Cognate
 * honours. Throws InvalidLambdaResponseException naming what is wrong.
 */
export function readMigrationAnswer(
  pool: Pool,
  source: MigrationSource,
  response: Record<string, unknown> | undefined,
): MigrationAnswer {
  const attributes = response?.userAttributes;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw invalidAnswer('response.userAttributes must be an object of attribute names and string values.');
  }
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value !== 'string') throw invalidAnswer(`response.userAttributes.${name} must be a string.`);
    given[name] = value;
  }
  if (Object.keys(given).length === 0) throw invalidAnswer('response.userAttributes must name at least one attribute.');

  const finalUserStatus = answerText(TRIGGER, response, 'finalUserStatus') ?? 'CONFIRMED';
  if (finalUserStatus !== 'CONFIRMED' && finalUserStatus !== 'RESET_REQUIRED') {
    throw invalidAnswer('response.finalUserStatus must be CONFIRMED or RESET_REQUIRED.');
  }
  // Cognito would send a welcome message unless told not to; Cognate has no welcome message, so
  // the answer must say SUPPRESS rather than have a message it asks for silently dropped.
  const messageAction = answerText(TRIGGER, response, 'messageAction');
  if (messageAction !== 'SUPPRESS') {
    throw invalidAnswer(
      'response.messageAction must be SUPPRESS: Cognate sends no welcome message to migrated users (docs/trigger-events.md).',
    );
  }
  const mediums = response?.desiredDeliveryMediums;
  if (mediums !== undefined && mediums !== null) {
    // Only says how the (suppressed) welcome message would go; still checked as Cognito's type.
    if (!Array.isArray(mediums) || !mediums.every((m) => m === 'EMAIL' || m === 'SMS')) {
      throw invalidAnswer('response.desiredDeliveryMediums must be a list of EMAIL and SMS.');
    }
  }
  if (answerFlag(TRIGGER, response, 'enableSMSMFA')) {
    throw invalidAnswer('response.enableSMSMFA is not supported: Cognate has no multi-factor authentication yet.');
  }
  const forceAliasCreation = answerFlag(TRIGGER, response, 'forceAliasCreation');

  let prepared;
  try {
    // An administrator's write: the schema's rules, verified flags allowed (AdminCreateUser's rules).
    prepared = prepareNewUser(pool.attributeSettings, { kind: 'admin' }, given, 'admin-create');
  } catch (error) {
    if (isCognitoError(error) && error.name === 'InvalidParameterException') throw invalidAnswer(error.message);
    throw error;
  }
  const missing = pool.attributeSettings.schema
    .filter((a) => a.required && a.name !== 'sub' && !prepared.values[a.name])
    .map((a) => a.name);
  if (missing.length > 0) throw invalidAnswer(`the pool requires ${missing.join(', ')}, missing from userAttributes.`);
  return {
    // Forgot password brings no password: the user must reset it (docs/trigger-events.md).
    status: source === 'UserMigration_ForgotPassword' ? 'RESET_REQUIRED' : finalUserStatus,
    values: prepared.values,
    verified: prepared.verified,
    forceAliasCreation,
  };
}

/**
 * The migrated user's username and attributes. A username-attribute pool gives the user a `sub`
 * username and the name as its email or phone (as sign-up does); in an alias pool an email- or
 * phone-shaped name cannot be a username, so the user gets a `sub` username and the answer must
 * carry that name as a verified alias, or the user could not sign in with the name just used.
 */
function identity(pool: Pool, name: string, answer: MigrationAnswer) {
  const { aliasAttributes } = pool.attributeSettings;
  for (const [attribute, shaped] of ALIAS_SHAPES) {
    if (!aliasAttributes.includes(attribute) || !shaped(name)) continue;
    const value = answer.values[attribute];
    if (value === undefined || comparedName(pool, value) !== comparedName(pool, name) || !answer.verified[attribute]) {
      throw invalidAnswer(
        `the user signs in with the ${attribute} ${name}: userAttributes must carry it with ${attribute}_verified "true".`,
      );
    }
    return { attributes: answer.values, usernameFor: (sub: string) => sub };
  }
  try {
    const { attributes, usernameFor } = newUserIdentity(pool, name, answer.values);
    return { attributes, usernameFor };
  } catch (error) {
    if (isCognitoError(error) && error.name === 'InvalidParameterException') throw invalidAnswer(error.message);
    throw error;
  }
}

export function createUserMigration(deps: { db: Db; hooks: Hooks; passwords: PasswordHasher; logger: Logger }) {
  const { db, hooks } = deps;

  return {
    /** Whether the pool migrates unknown users (has a UserMigration hook). */
    enabled: (pool: Pool) => hooks.has(pool, TRIGGER),

    /**
     * Asks the hook about `name` and creates the user its answer describes. Returns the new user,
     * or, when another request migrated the same name meanwhile, that request's user (the caller
     * then goes on as for any existing user: the password is checked against that row). Throws
     * the hook's failure (UserLambdaValidationException, UnexpectedLambdaException,
     * InvalidLambdaResponseException) or AliasExistsException, with nothing created.
     *
     * The admin password flow (AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH, issue 18) calls this
     * the same way, with the source UserMigration_Authentication.
     */
    async migrate(
      pool: Pool,
      client: AppClient,
      input: {
        source: MigrationSource;
        name: string;
        /** The password given at sign-in; absent for forgot password. */
        password?: string;
        /** InitiateAuth's ClientMetadata: the event's validationData (as for PreAuthentication). */
        validationData?: ClientMetadata;
        /** ForgotPassword's ClientMetadata. */
        clientMetadata?: ClientMetadata;
      },
    ): Promise<UserRow> {
      const authentication = input.source === 'UserMigration_Authentication';
      const response = await hooks.call(pool, {
        trigger: TRIGGER,
        triggerSource: input.source,
        userName: input.name,
        clientId: client.id,
        request: {
          ...(authentication && { password: input.password, validationData: input.validationData ?? {} }),
          ...withClientMetadata(input.clientMetadata),
        },
        response: {
          userAttributes: null,
          finalUserStatus: null,
          messageAction: null,
          desiredDeliveryMediums: null,
          forceAliasCreation: null,
          enableSMSMFA: null,
        },
      });
      const answer = readMigrationAnswer(pool, input.source, response);
      const { attributes, usernameFor } = identity(pool, input.name, answer);
      const sub = randomUUID();
      const username = usernameFor(sub);
      // A password is kept only when the user may sign in with it: a RESET_REQUIRED user has none.
      // Cognito does not hold it to the pool's password policy (docs/trigger-events.md).
      const keep = authentication && answer.status === 'CONFIRMED' && input.password !== undefined;
      const row = keep
        ? newUserRow(pool, {
            id: sub,
            username,
            status: answer.status,
            passwordHash: await deps.passwords.hash(input.password!),
            password: input.password!,
          })
        : { id: sub, username, status: answer.status, poolId: pool.id, usernameKey: usernameKey(pool, username) };
      try {
        return await db.transaction(async (tx) => {
          // One migration of a name at a time: a second request for it waits, then finds the first's user.
          await tx.execute(
            sql`select pg_advisory_xact_lock(hashtextextended(${`user-migration:${pool.id}:${comparedName(pool, input.name)}`}, 0))`,
          );
          const existing = await findUserBySignInName(tx, pool, input.name);
          if (existing) return existing;
          const inserted = await insertUser(tx, row);
          await insertAttributes(tx, pool, sub, attributes, answer.verified, {
            forceAlias: answer.forceAliasCreation,
          });
          const state = await loadAttributes(tx, inserted);
          await recordAudit(tx, {
            pool,
            user: inserted,
            actor: { kind: 'user', clientId: client.id },
            action: 'MIGRATE_USER',
            details: {
              status: { from: null, to: answer.status },
              ...(keep && { password: 'set' as const }),
              attributes: attributeChanges(pool, {}, state),
            },
          });
          return inserted;
        });
      } catch (error) {
        // A race the lock does not cover (the same user under another of its names): the winner's row.
        if (uniqueViolation(error) === 'users_pool_username_key' || uniqueViolation(error) === SIGN_IN_NAME_TAKEN) {
          const winner = await findUserBySignInName(db, pool, input.name);
          if (winner) return winner;
        }
        throw error;
      }
    },
  };
}

export type UserMigration = ReturnType<typeof createUserMigration>;
