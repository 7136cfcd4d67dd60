import { getDiffieHellman, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { devices } from '../../db/schema/devices.ts';
import {
  CognitoError,
  forbidden,
  incorrectCredentials,
  invalidParameter,
  userNotFound,
} from '../../errors/cognito-error.ts';
import { noAuthMetrics, type AuthMetrics } from '../metrics/metrics.ts';
import type { PoolsService } from '../pools/pools.service.ts';
import type { Pool } from '../pools/pools.types.ts';
import type { SignInLockout } from '../rate-limits/sign-in-lockout.ts';
import { sessionKind, type AuthSessions } from '../sign-in/auth-sessions.ts';
import { passwordStamp, type AfterFirstFactor, type ProvenSignIn } from '../sign-in/sign-in-steps.ts';
import type { StepChallenge } from '../sign-in/sign-in.types.ts';
import { checkPasswordClaim, startSrp } from '../srp/index.ts';
import type { StartOptions, TokenSet } from '../tokens/sessions.service.ts';
import type { ClientMetadata } from '../triggers/trigger-events.ts';
import { findUserById, findUserBySignInName, loadAttributes, type UserRow } from '../user-store/users.repository.ts';
import {
  confirmUserDevice,
  deleteUserDevice,
  findUserDevice,
  insertDevice,
  listUserDevices,
  markAuthenticated,
  setRememberedStatus,
  type DeviceRow,
} from './devices.repository.ts';
import type { DeviceRememberedStatus, DeviceView, NewDeviceMetadata } from './devices.types.ts';

/**
 * Remembered devices (docs/devices.md): device keys handed out at sign-in, ConfirmDevice with the
 * device's own SRP verifier, the device's proof at sign-in (DEVICE_SRP_AUTH, then
 * DEVICE_PASSWORD_VERIFIER), and the user's and administrator's view of the devices.
 */

/** Cognito's DeviceKeyType: `<region>_<uuid>`, at most 55 characters. */
const DEVICE_KEY = /^[\w-]+_[0-9a-f-]+$/;
const MAX_LIST = 60;
/** Unconfirmed device keys older than this are dropped when the user gets a new one: nobody confirms them any more. */
const UNCONFIRMED_KEPT = sql`interval '1 day'`;
// The SRP group's prime: a device verifier must be a number in 1..N-1.
const N = BigInt('0x' + getDiffieHellman('modp15').getPrime('hex'));

const deviceNotFound = () => new CognitoError('ResourceNotFoundException', 'Device does not exist.');
const sessionExpired = () =>
  new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');

type Finishing = Pick<StartOptions, 'triggerSource'> & { newDeviceUsed?: boolean };

/** Who asks: the signed-in user (an access token), or an administrator naming a user of a pool. */
export interface DeviceOwner {
  pool: Pool;
  user: Pick<UserRow, 'id'>;
  /** The caller's own session (the access token's origin_jti), kept when it forgets a device. */
  session?: string;
}

/** What a device challenge's stored session carries to its answer. */
interface DeviceSessionState extends Record<string, unknown> {
  stage: 'DEVICE_SRP_AUTH' | 'DEVICE_PASSWORD_VERIFIER';
  deviceKey: string;
  /** The password as it was when the first factor was proven (passwordStamp): a change ends the sign-in. */
  stamp: string;
  clientMetadata?: ClientMetadata;
  source?: string;
  /** DEVICE_PASSWORD_VERIFIER: the SRP exchange the proof is checked against. */
  srpA?: string;
  srpB?: string;
  b?: string;
  salt?: string;
  verifier?: string;
  secretBlock?: string;
}

function assertDeviceKey(deviceKey: string, member = 'deviceKey'): void {
  if (deviceKey.length > 55 || !DEVICE_KEY.test(deviceKey)) {
    throw invalidParameter(
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+`,
    );
  }
}

/** A DeviceSecretVerifierConfig member (base64 of the number's bytes, as Amplify sends it) as hex. */
function verifierHex(value: string | undefined, member: 'PasswordVerifier' | 'Salt', maxBytes: number): string {
  const bytes =
    typeof value === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  if (bytes.length === 0 || bytes.length > maxBytes) {
    throw invalidParameter(`DeviceSecretVerifierConfig.${member} must be the base64 of 1 to ${maxBytes} bytes.`);
  }
  return bytes.toString('hex');
}

export function toDeviceView(row: DeviceRow): DeviceView {
  return {
    deviceKey: row.deviceKey,
    attributes: {
      device_status: 'valid',
      ...row.attributes,
      'dev:device_remembered_status': row.rememberedStatus ?? 'not_remembered',
    },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastAuthenticatedAt: row.lastAuthenticatedAt,
  };
}

export function createDevicesService(deps: {
  db: Db;
  pools: PoolsService;
  /** Ends the sessions (refresh tokens) started on a forgotten device, in the caller's transaction. */
  revokeDeviceSessions: (q: Queryable, userId: string, deviceKey: string, except?: string) => Promise<void>;
  /** Stored single-use sessions of the device challenges (kind `device`). */
  authSessions: AuthSessions;
  /** A wrong device proof counts against the user's sign-in lockout, per source. */
  lockout: SignInLockout;
  /**
   * The sign-in after a device proved itself: the remaining steps (MFA, unless the device stands
   * in for it), then the tokens. The sign-in service's afterFirstFactor, bound in services.ts.
   */
  continueSignIn: (signIn: ProvenSignIn, finishing: Finishing) => Promise<TokenSet | StepChallenge>;
  /** The end of the sign-in (sign-in-finish.ts), where a remembered device stands in for the second factor. */
  finishSignIn: (signIn: ProvenSignIn, finishing: Finishing) => Promise<TokenSet>;
  metrics?: AuthMetrics;
}) {
  const { db } = deps;
  const metrics = deps.metrics ?? noAuthMetrics;

  /** The user's confirmed device of that key: unconfirmed keys and other users' keys are no device. */
  async function confirmedDevice(userId: string, deviceKey: string): Promise<DeviceRow | undefined> {
    const row = await findUserDevice(db, userId, deviceKey);
    return row?.srpVerifier ? row : undefined;
  }

  async function ownedDevice(owner: DeviceOwner, deviceKey: string): Promise<DeviceRow> {
    assertDeviceKey(deviceKey);
    const row = await confirmedDevice(owner.user.id, deviceKey);
    if (!row) throw deviceNotFound();
    return row;
  }

  /** An administrator's target: the pool, and its user by any sign-in name. */
  async function adminOwner(poolId: string, username: string): Promise<DeviceOwner> {
    const pool = await deps.pools.getPool(poolId);
    const user = await findUserBySignInName(db, pool, username);
    if (!user) throw userNotFound();
    return { pool, user };
  }

  /** The session a device challenge is answered with: single use, this client's, at this stage. */
  async function takeSession(clientId: string, session: string, stage: DeviceSessionState['stage']) {
    const { pool, client } = await deps.pools.clientWithPool(clientId);
    // Another flow's session is not taken (used up) by a device answer.
    if (sessionKind(session) !== 'device') throw sessionExpired();
    const taken = await deps.authSessions.take<DeviceSessionState>(session);
    if (!taken || taken.clientId !== client.id || taken.state.stage !== stage || !taken.userId) throw sessionExpired();
    const user = await findUserById(db, taken.userId);
    // Gone, or another password since the first factor (changed, reset): the sign-in ends here.
    if (!user || passwordStamp(user) !== taken.state.stamp) throw sessionExpired();
    if (!user.enabled) throw forbidden('User is disabled.');
    return { pool, client, user, state: taken.state };
  }

  /** The USERNAME of an answer must name the signing-in user (any of their sign-in names). */
  async function assertSameUser(pool: Pool, user: UserRow, username: string): Promise<void> {
    if (username === user.username) return;
    const named = await findUserBySignInName(db, pool, username);
    if (named?.id !== user.id) throw sessionExpired();
  }

  /**
   * The devices step (first of the steps after the first factor, docs/mfa.md "Order"): a sign-in
   * that names one of the user's confirmed devices must prove it (DEVICE_SRP_AUTH). Any other key
   * (unknown, unconfirmed, forgotten, another user's) proves nothing: the sign-in goes on as from
   * a new device, and gets a new device key with its tokens.
   */
  const step: AfterFirstFactor = async (signIn) => {
    const { pool, client, user } = signIn;
    if (!pool.deviceConfiguration || signIn.device || !signIn.deviceKey) return undefined;
    if (signIn.deviceKey.length > 55 || !DEVICE_KEY.test(signIn.deviceKey)) return undefined;
    const device = await confirmedDevice(user.id, signIn.deviceKey);
    if (!device) return undefined;
    // Read again: the sign-in may have just re-hashed the password (the stamp must be what answers find).
    const fresh = (await findUserById(db, user.id)) ?? user;
    const session = await deps.authSessions.issue<DeviceSessionState>({
      poolId: pool.id,
      clientId: client.id,
      userId: user.id,
      kind: 'device',
      minutes: client.authSessionValidity,
      state: {
        stage: 'DEVICE_SRP_AUTH',
        deviceKey: device.deviceKey,
        stamp: passwordStamp(fresh),
        ...(signIn.clientMetadata && { clientMetadata: signIn.clientMetadata }),
        ...(signIn.source && { source: signIn.source }),
      },
    });
    return { challengeName: 'DEVICE_SRP_AUTH', session, challengeParameters: { USERNAME: user.username } };
  };

  return {
    step,

    /**
     * A new device key for a sign-in not from a proven device, where the pool tracks devices
     * (AuthenticationResult.NewDeviceMetadata). The user's unconfirmed keys of more than a day go.
     */
    async newDevice(signIn: ProvenSignIn): Promise<NewDeviceMetadata | undefined> {
      const { pool, user } = signIn;
      if (!pool.deviceConfiguration) return undefined;
      const region = pool.id.split('_')[0] ?? 'local';
      const metadata = {
        deviceKey: `${region}_${randomUUID()}`,
        deviceGroupKey: randomBytes(12).toString('base64url'),
      };
      await db.transaction(async (tx) => {
        await tx
          .delete(devices)
          .where(
            and(
              eq(devices.userId, user.id),
              sql`${devices.srpVerifier} is null`,
              lt(devices.createdAt, sql`now() - ${UNCONFIRMED_KEPT}`),
            ),
          );
        await insertDevice(tx, {
          deviceKey: metadata.deviceKey,
          poolId: pool.id,
          userId: user.id,
          deviceGroupKey: metadata.deviceGroupKey,
          attributes: signIn.source ? { last_ip_used: signIn.source } : {},
        });
      });
      return metadata;
    },

    /** RespondToAuthChallenge DEVICE_SRP_AUTH: the device's SRP_A; answers DEVICE_PASSWORD_VERIFIER. */
    async answerDeviceSrpAuth(input: {
      clientId: string;
      session: string;
      username: string;
      deviceKey: string;
      srpA: string;
    }): Promise<StepChallenge> {
      const { pool, client, user, state } = await takeSession(input.clientId, input.session, 'DEVICE_SRP_AUTH');
      await assertSameUser(pool, user, input.username);
      if (input.deviceKey !== state.deviceKey) throw sessionExpired();
      // Forgotten since the sign-in began: it proves nothing any more.
      const device = await confirmedDevice(user.id, state.deviceKey);
      if (!device) throw sessionExpired();
      const verifier = { salt: device.srpSalt!, verifier: device.srpVerifier! };
      const { srpB, b } = startSrp(verifier, input.srpA);
      const secretBlock = randomBytes(64).toString('base64');
      const session = await deps.authSessions.issue<DeviceSessionState>({
        poolId: pool.id,
        clientId: client.id,
        userId: user.id,
        kind: 'device',
        minutes: client.authSessionValidity,
        state: { ...state, stage: 'DEVICE_PASSWORD_VERIFIER', srpA: input.srpA, srpB, b, ...verifier, secretBlock },
      });
      return {
        challengeName: 'DEVICE_PASSWORD_VERIFIER',
        session,
        challengeParameters: {
          SRP_B: srpB,
          SALT: verifier.salt,
          SECRET_BLOCK: secretBlock,
          USERNAME: user.username,
          DEVICE_KEY: device.deviceKey,
        },
      };
    },

    /**
     * RespondToAuthChallenge DEVICE_PASSWORD_VERIFIER: the device's proof, made with its
     * DeviceGroupKey and DeviceKey as Amplify makes it. Proven, the sign-in goes on: the tokens,
     * or the second factor where this device does not stand in for it.
     */
    async answerDevicePasswordVerifier(input: {
      clientId: string;
      session: string;
      username: string;
      deviceKey: string;
      secretBlock: string;
      timestamp: string;
      signature: string;
      source: string;
      clientMetadata?: ClientMetadata;
    }): Promise<TokenSet | StepChallenge> {
      const { pool, client, user, state } = await takeSession(
        input.clientId,
        input.session,
        'DEVICE_PASSWORD_VERIFIER',
      );
      await assertSameUser(pool, user, input.username);
      if (input.deviceKey !== state.deviceKey || input.secretBlock !== state.secretBlock) throw sessionExpired();
      const subject = { userId: user.id };
      const lock = await deps.lockout.check(subject, input.source);
      const device = await confirmedDevice(user.id, state.deviceKey);
      const claimed =
        checkPasswordClaim({
          poolId: pool.id,
          srpGroup: device?.deviceGroupKey ?? '',
          userIdForSrp: state.deviceKey,
          verifier: { salt: state.salt!, verifier: state.verifier! },
          srpA: state.srpA!,
          srpB: state.srpB!,
          b: state.b!,
          secretBlock: input.secretBlock,
          timestamp: input.timestamp,
          signature: input.signature,
          // The device must still be there, with the verifier the challenge was built on.
        }) && device?.srpVerifier === state.verifier;
      if (!claimed || !device) {
        metrics.signIn('failure');
        await deps.lockout.recordFailure(subject, input.source);
        throw incorrectCredentials();
      }
      await deps.lockout.reset(subject, input.source, lock);
      await markAuthenticated(db, device.deviceKey, input.source);
      const clientMetadata = input.clientMetadata ?? state.clientMetadata;
      // A remembered device stands in for the second factor where the pool says so (ChallengeRequiredOnNewDevice).
      const skipsMfa =
        device.rememberedStatus === 'remembered' && pool.deviceConfiguration?.challengeRequiredOnNewDevice === true;
      const signIn: ProvenSignIn = {
        pool,
        client,
        user,
        state: await loadAttributes(db, user),
        ...(clientMetadata && { clientMetadata }),
        deviceKey: device.deviceKey,
        device: { deviceKey: device.deviceKey, skipsMfa },
        source: input.source,
      };
      const finishing = { triggerSource: 'TokenGeneration_AuthenticateDevice' as const, newDeviceUsed: false };
      // Otherwise the steps after this one (MFA) go on, knowing the device is proven.
      return skipsMfa ? deps.finishSignIn(signIn, finishing) : deps.continueSignIn(signIn, finishing);
    },

    /**
     * ConfirmDevice: the device's SRP verifier, so it can prove itself at later sign-ins. Answers
     * whether the user must still be asked to remember it (DeviceOnlyRememberedOnUserPrompt).
     */
    async confirmDevice(
      owner: DeviceOwner,
      input: { deviceKey: string; passwordVerifier?: string; salt?: string; deviceName?: string },
    ): Promise<{ userConfirmationNecessary: boolean }> {
      assertDeviceKey(input.deviceKey);
      const config = owner.pool.deviceConfiguration;
      if (!config) throw invalidParameter('This user pool does not track devices (DeviceConfiguration is not set).');
      const verifier = verifierHex(input.passwordVerifier, 'PasswordVerifier', 385);
      const salt = verifierHex(input.salt, 'Salt', 128);
      const v = BigInt('0x' + verifier);
      // 0 or 1 would let anyone compute the proof without the device's secret.
      if (v <= 1n || v >= N)
        throw invalidParameter('DeviceSecretVerifierConfig.PasswordVerifier is not a valid SRP verifier.');
      const existing = await findUserDevice(db, owner.user.id, input.deviceKey);
      if (!existing) throw deviceNotFound();
      if (existing.srpVerifier) throw invalidParameter('Device is already confirmed.');
      const confirmed = await confirmUserDevice(db, owner.user.id, input.deviceKey, {
        srpSalt: salt,
        srpVerifier: verifier,
        // Without a prompt the device is remembered at once; with one, the user's choice decides (UpdateDeviceStatus).
        rememberedStatus: config.deviceOnlyRememberedOnUserPrompt ? null : 'remembered',
        ...(input.deviceName !== undefined && { deviceName: input.deviceName }),
      });
      // Confirmed by a concurrent call meanwhile: the first verifier stays.
      if (!confirmed) throw invalidParameter('Device is already confirmed.');
      return { userConfirmationNecessary: config.deviceOnlyRememberedOnUserPrompt };
    },

    async getDevice(owner: DeviceOwner, deviceKey: string): Promise<DeviceView> {
      return toDeviceView(await ownedDevice(owner, deviceKey));
    },

    /** The user's confirmed devices, by key, at most 60 a page. */
    async listDevices(
      owner: DeviceOwner,
      page: { limit?: number; paginationToken?: string },
    ): Promise<{ devices: DeviceView[]; paginationToken?: string }> {
      const limit = page.limit ?? MAX_LIST;
      if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIST) {
        throw invalidParameter(
          `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${MAX_LIST}`,
        );
      }
      let afterKey: string | undefined;
      if (page.paginationToken !== undefined) {
        afterKey = Buffer.from(page.paginationToken, 'base64url').toString('utf8');
        if (afterKey.length > 55 || !DEVICE_KEY.test(afterKey)) throw invalidParameter('Invalid pagination token.');
      }
      if (limit === 0) return { devices: [] };
      const rows: DeviceRow[] = [];
      // Unconfirmed keys are skipped; read on until a page is full or the user has no more.
      for (;;) {
        const batch = await listUserDevices(db, owner.user.id, {
          limit: limit + 1,
          ...(afterKey !== undefined && { afterKey }),
        });
        rows.push(...batch.filter((row) => row.srpVerifier));
        if (batch.length < limit + 1 || rows.length > limit) break;
        afterKey = batch.at(-1)!.deviceKey;
      }
      const shown = rows.slice(0, limit);
      return {
        devices: shown.map(toDeviceView),
        ...(rows.length > limit && { paginationToken: Buffer.from(shown.at(-1)!.deviceKey).toString('base64url') }),
      };
    },

    async updateDeviceStatus(owner: DeviceOwner, deviceKey: string, status: DeviceRememberedStatus): Promise<void> {
      if (status !== 'remembered' && status !== 'not_remembered') {
        throw invalidParameter(
          `1 validation error detected: Value '${String(status).slice(0, 64)}' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]`,
        );
      }
      await ownedDevice(owner, deviceKey);
      if (!(await setRememberedStatus(db, owner.user.id, deviceKey, status))) throw deviceNotFound();
    },

    /**
     * ForgetDevice: the key proves nothing any more; a sign-in naming it is a new device's. The
     * sessions started on it end too (refresh tokens and their access tokens), so a lost device
     * forgotten from elsewhere stays signed out (docs/devices.md, "Decisions").
     */
    async forgetDevice(owner: DeviceOwner, deviceKey: string): Promise<void> {
      await ownedDevice(owner, deviceKey);
      await db.transaction(async (tx) => {
        if (!(await deleteUserDevice(tx, owner.user.id, deviceKey))) throw deviceNotFound();
        await deps.revokeDeviceSessions(tx, owner.user.id, deviceKey, owner.session);
      });
    },

    adminOwner,
  };
}

export type DevicesService = ReturnType<typeof createDevicesService>;
