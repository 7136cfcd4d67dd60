import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { callerOf } from '../../plugins/auth.plugin.ts';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { sourceOf } from '../../plugins/rate-limits.plugin.ts';
import { problems, ref } from '../../schemas/common.ts';
import {
  MfaPreferenceBody,
  MfaSetupSessionBody,
  TotpAssociation,
  TotpVerification,
  UserMfaSettings,
  VerifyTotpBody,
  VerifyTotpSetupBody,
} from '../../schemas/mfa.ts';

/** Code checks are limited per signed-in user as well as per address. */
const signedInUser = (request: FastifyRequest) => ({ targets: [], caller: callerOf(request).user.id });

/**
 * The signed-in user's second factors (GetUser's MFA members, SetUserMFAPreference), TOTP with an
 * access token (AssociateSoftwareToken, VerifySoftwareToken), and TOTP set up during a sign-in
 * with an MFA_SETUP session (docs/mfa.md).
 */
export async function mfaRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { mfa } = app.services;
  const security = [{ accessToken: [] }];

  app.get(
    '/v1/me/mfa',
    {
      schema: {
        operationId: 'GetUserMfaSettings',
        tags: ['me'],
        summary: 'The user’s second factors: which are on, which is preferred, whether TOTP is set up',
        security,
        response: { 200: jsonResponse('The user’s factors', ref(UserMfaSettings)), ...problems(401, 403) },
      },
      onRequest: app.requireUser,
    },
    async (request) => mfa.settingsOf(callerOf(request).user.id),
  );

  app.put(
    '/v1/me/mfa',
    {
      schema: {
        operationId: 'SetUserMFAPreference',
        tags: ['me'],
        summary: 'Turn second factors on or off and choose the preferred one; a factor left out keeps its setting',
        security,
        body: ref(MfaPreferenceBody),
        response: {
          200: jsonResponse('The user’s factors as set', ref(UserMfaSettings)),
          ...problems(400, 401, 403, 415),
        },
      },
      onRequest: app.requireUser,
    },
    async (request) => {
      const { sms, softwareToken, email } = request.body;
      const pref = (p: { enabled?: boolean; preferred?: boolean } | undefined) =>
        p && {
          ...(p.enabled !== undefined && { enabled: p.enabled }),
          ...(p.preferred !== undefined && { preferredMfa: p.preferred }),
        };
      return mfa.setMyPreference(callerOf(request), {
        ...(sms && { sms: pref(sms)! }),
        ...(softwareToken && { softwareToken: pref(softwareToken)! }),
        ...(email && { email: pref(email)! }),
      });
    },
  );

  app.post(
    '/v1/me/mfa/totp',
    {
      schema: {
        operationId: 'AssociateSoftwareToken',
        tags: ['me'],
        summary: 'A new TOTP secret for the authenticator app, pending until verified with its first code',
        security,
        response: { 200: jsonResponse('The secret', ref(TotpAssociation)), ...problems(400, 401, 403) },
      },
      onRequest: app.requireUser,
    },
    async (request) => mfa.associateSoftwareToken({ caller: callerOf(request) }),
  );

  app.post(
    '/v1/me/mfa/totp/verify',
    {
      schema: {
        operationId: 'VerifySoftwareToken',
        tags: ['me'],
        summary:
          'Prove the pending TOTP secret with the app’s code; it becomes the user’s (then turn TOTP on with PUT /v1/me/mfa)',
        security,
        body: ref(VerifyTotpBody),
        response: { 200: jsonResponse('Verified', ref(TotpVerification)), ...problems(400, 401, 403, 415, 429) },
      },
      onRequest: app.requireUser,
      preHandler: app.rateLimited('codeCheck', signedInUser),
    },
    async (request) => mfa.verifySoftwareToken({ caller: callerOf(request) }, { ...request.body }),
  );

  app.post(
    '/v1/auth/mfa-setup/totp',
    {
      schema: {
        operationId: 'AssociateSoftwareTokenForSetup',
        tags: ['auth'],
        summary:
          'MFA_SETUP: a TOTP secret for the user signing in, with the challenge’s session; a new session comes back',
        security: [],
        body: ref(MfaSetupSessionBody),
        response: {
          200: jsonResponse('The secret and the next session', ref(TotpAssociation)),
          ...problems(400, 401, 415, 429),
        },
      },
      preHandler: app.rateLimited('signIn'),
    },
    async (request) => mfa.associateSoftwareToken({ session: request.body.session }),
  );

  app.post(
    '/v1/auth/mfa-setup/totp/verify',
    {
      schema: {
        operationId: 'VerifySoftwareTokenForSetup',
        tags: ['auth'],
        summary:
          'MFA_SETUP: prove the secret with the app’s code; TOTP is on and preferred, and a session for MFA_SETUP’s answer comes back',
        security: [],
        body: ref(VerifyTotpSetupBody),
        response: {
          200: jsonResponse('Verified, with the next session', ref(TotpVerification)),
          ...problems(400, 401, 415, 429),
        },
      },
      preHandler: app.rateLimited('codeCheck'),
    },
    async (request) => {
      const { session, ...rest } = request.body;
      return mfa.verifySoftwareToken({ session }, { ...rest, source: sourceOf(request) });
    },
  );
}
