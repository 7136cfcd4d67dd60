import { AsyncLocalStorage } from 'node:async_hooks';
import { noHooks } from '../hooks/hooks.ts';
import type { Hooks } from '../hooks/hooks.types.ts';
import { noAuthMetrics, type AuthMetrics } from '../metrics/metrics.ts';
import type { SessionsService, StartOptions, TokenSet } from '../tokens/sessions.service.ts';
import { eventAttributes, withClientMetadata } from '../triggers/trigger-events.ts';
import type { NewDeviceMetadata } from '../devices/devices.types.ts';
import { CognitoError } from '../../errors/cognito-error.ts';
import type { Db } from '../../db/client.ts';
import { findUserById } from '../user-store/users.repository.ts';
import { passwordStamp, type ProvenSignIn } from './sign-in-steps.ts';

/**
 * A sign-in on the managed login pages ends in their login session, not in the app's tokens: those
 * come from /oauth2/token, which calls PreTokenGeneration with TokenGeneration_HostedAuth
 * (docs/web-sign-in.md, "Managed login pages"). Within `onManagedLoginPages` a sign-in is proven
 * and PostAuthentication runs as anywhere, but the session it ends in is a bare one that the pages
 * read the user from and revoke: no PreTokenGeneration call, no new device key.
 */
const managedLogin = new AsyncLocalStorage<true>();
export const onManagedLoginPages = <T>(step: () => Promise<T>): Promise<T> => managedLogin.run(true, step);

/**
 * The end of every sign-in once all its steps are passed (first factor, remembered device, second
 * factor): PostAuthentication, then the tokens. One place, so each path (password, SRP, custom,
 * MFA, device, passwordless) ends the same way.
 */
export function createSignInFinish(deps: {
  sessions: SessionsService;
  hooks?: Hooks;
  metrics?: AuthMetrics;
  /** Remembered devices: a new device key for a sign-in not from a proven device (docs/devices.md). */
  devices?: { newDevice(signIn: ProvenSignIn): Promise<NewDeviceMetadata | undefined> };
  /** Where the user is read again once the session is written (below); tests may leave it out. */
  db?: Db;
}) {
  const hooks = deps.hooks ?? noHooks;
  const metrics = deps.metrics ?? noAuthMetrics;

  /** PostAuthentication, after every factor is proven and before any token is given out. */
  async function postAuthentication(signIn: ProvenSignIn, newDeviceUsed: boolean) {
    const { pool, client, user, state, clientMetadata } = signIn;
    if (!hooks.has(pool, 'PostAuthentication')) return;
    await hooks.call(pool, {
      trigger: 'PostAuthentication',
      triggerSource: 'PostAuthentication_Authentication',
      userName: user.username,
      clientId: client.id,
      request: {
        userAttributes: eventAttributes(state, user.status),
        newDeviceUsed,
        ...withClientMetadata(clientMetadata),
      },
      response: {},
    });
  }

  return {
    postAuthentication,
    async finish(
      signIn: ProvenSignIn,
      options: Pick<StartOptions, 'triggerSource'> & {
        /** PostAuthentication's newDeviceUsed: the sign-in is not from a remembered device (docs/devices.md). */
        newDeviceUsed?: boolean;
      } = {},
    ): Promise<TokenSet> {
      // Cognito sets newDeviceUsed only where the pool tracks devices: not from a proven device.
      const tracked = signIn.pool.deviceConfiguration !== null;
      await postAuthentication(signIn, options.newDeviceUsed ?? (tracked && !signIn.device));
      const onPages = managedLogin.getStore() === true;
      const newDevice = signIn.device || onPages ? undefined : await deps.devices?.newDevice(signIn);
      const deviceKey = signIn.device?.deviceKey ?? newDevice?.deviceKey;
      const tokens = await deps.sessions.start(signIn.pool, signIn.client, signIn.user, signIn.state, {
        ...(options.triggerSource && { triggerSource: options.triggerSource }),
        ...(signIn.clientMetadata && { clientMetadata: signIn.clientMetadata }),
        ...(deviceKey && { deviceKey }),
        ...(onPages && { withoutHook: true }),
      });
      // A password set, reset or changed while this sign-in was on its way (a slow hook, a pending
      // challenge) ends it: the session is checked after it is written, so a change committed
      // before this read is seen here, and one committed after it revokes the session itself
      // (docs/security.md, "Issue 18").
      const now = deps.db && (await findUserById(deps.db, signIn.user.id));
      if (deps.db && (!now || !now.enabled || passwordStamp(now) !== passwordStamp(signIn.user))) {
        if (tokens.refreshToken) await deps.sessions.revokeRefreshToken(signIn.client.id, tokens.refreshToken);
        throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
      }
      metrics.signIn('success');
      return newDevice ? { ...tokens, newDeviceMetadata: newDevice } : tokens;
    },
  };
}

export type SignInFinish = ReturnType<typeof createSignInFinish>;
