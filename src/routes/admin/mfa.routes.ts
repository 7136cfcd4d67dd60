import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { jsonResponse } from '../../plugins/openapi.plugin.ts';
import { UserParams } from '../../schemas/admin-users.ts';
import { problems, ref } from '../../schemas/common.ts';
import { MfaPreferenceBody, PoolMfaConfig, PoolMfaConfigBody, UserMfaSettings } from '../../schemas/mfa.ts';
import { PoolParams } from '../../schemas/pools.ts';
import type { PoolMfaView } from '../../modules/mfa/mfa.service.ts';

const security = [{ adminKey: [] }];

/** The REST shape of the pool's setting: every factor named, true or false. */
const toConfig = (view: PoolMfaView) => ({
  mfaConfiguration: view.mfaConfiguration,
  factors: { sms: !!view.factors.sms, softwareToken: !!view.factors.softwareToken, email: !!view.factors.email },
  ...(view.smsAuthenticationMessage !== undefined && { smsAuthenticationMessage: view.smsAuthenticationMessage }),
  ...(view.emailMessage !== undefined && { emailMessage: view.emailMessage }),
  ...(view.emailSubject !== undefined && { emailSubject: view.emailSubject }),
});

/** Admin: a pool's MFA setting (Get/SetUserPoolMfaConfig) and a user's factors (AdminSetUserMFAPreference), docs/mfa.md. */
export async function adminMfaRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { mfa } = app.services;
  app.addHook('onRequest', app.requireAdmin);

  app.get(
    '/v1/pools/:poolId/mfa-config',
    {
      schema: {
        operationId: 'GetUserPoolMfaConfig',
        tags: ['pools'],
        summary: 'The pool’s MFA setting (OFF, ON, OPTIONAL), its factors and their texts',
        security,
        params: PoolParams,
        response: { 200: jsonResponse('The pool’s MFA setting', ref(PoolMfaConfig)), ...problems(401, 404) },
      },
    },
    async (request) => toConfig(await mfa.poolConfig(request.params.poolId)),
  );

  app.put(
    '/v1/pools/:poolId/mfa-config',
    {
      schema: {
        operationId: 'SetUserPoolMfaConfig',
        tags: ['pools'],
        summary: 'Replace the pool’s MFA setting and factors; texts given go to its AUTHENTICATION message templates',
        security,
        params: PoolParams,
        body: ref(PoolMfaConfigBody),
        response: {
          200: jsonResponse('The pool’s MFA setting as set', ref(PoolMfaConfig)),
          ...problems(400, 401, 404, 415),
        },
      },
    },
    async (request) => {
      const { mfaConfiguration, factors, ...texts } = request.body;
      return toConfig(await mfa.setPoolConfig(request.params.poolId, { mfaConfiguration, factors, ...texts }));
    },
  );

  app.get(
    '/v1/pools/:poolId/users/:username/mfa',
    {
      schema: {
        operationId: 'AdminGetUserMfaSettings',
        tags: ['users'],
        summary: 'The user’s second factors (AdminGetUser’s PreferredMfaSetting and UserMFASettingList)',
        security,
        params: UserParams,
        response: { 200: jsonResponse('The user’s factors', ref(UserMfaSettings)), ...problems(401, 404) },
      },
    },
    async (request) => mfa.adminSettingsOf(request.params.poolId, request.params.username),
  );

  app.put(
    '/v1/pools/:poolId/users/:username/mfa',
    {
      schema: {
        operationId: 'AdminSetUserMFAPreference',
        tags: ['users'],
        summary:
          'Turn a user’s second factors on or off and choose the preferred one; a factor left out keeps its setting',
        security,
        params: UserParams,
        body: ref(MfaPreferenceBody),
        response: {
          200: jsonResponse('The user’s factors as set', ref(UserMfaSettings)),
          ...problems(400, 401, 404, 415),
        },
      },
    },
    async (request) => {
      const pref = (p: { enabled?: boolean; preferred?: boolean } | undefined) =>
        p && {
          ...(p.enabled !== undefined && { enabled: p.enabled }),
          ...(p.preferred !== undefined && { preferredMfa: p.preferred }),
        };
      const { sms, softwareToken, email } = request.body;
      return mfa.adminSetPreference(request.params.poolId, request.params.username, {
        ...(sms && { sms: pref(sms)! }),
        ...(softwareToken && { softwareToken: pref(softwareToken)! }),
        ...(email && { email: pref(email)! }),
      });
    },
  );
}
