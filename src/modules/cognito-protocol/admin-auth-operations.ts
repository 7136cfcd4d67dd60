/**
 * Cognito's server-side sign-in and the administrator's password actions (docs/admin-auth.md):
 * AdminInitiateAuth and AdminRespondToAuthChallenge run the same dispatch as InitiateAuth and
 * RespondToAuthChallenge (user-operations.ts) once the client is known to be the pool's;
 * AdminSetUserPassword and AdminResetUserPassword end the user's sessions.
 */
import { Type } from 'typebox';
import { assertClientOfPool } from '../sign-in/admin-sign-in.ts';
import { ClientId, Password, UserPoolId, Username } from './operation-inputs.ts';
import { adminOperation, type Operation } from './operation.ts';
import { initiateAuth, respondToAuthChallenge } from './user-operations.ts';

/** A request whose other members settings-table.ts rules one by one. */
const object = <P extends Parameters<typeof Type.Object>[0]>(properties: P) =>
  Type.Object(properties, { additionalProperties: true });
const StringMap = Type.Record(Type.String(), Type.String());
const ClientMetadata = Type.Optional(StringMap);

const AdminInitiateAuth = object({
  UserPoolId,
  ClientId,
  AuthFlow: Type.String({ maxLength: 64 }),
  AuthParameters: Type.Optional(StringMap),
  ClientMetadata,
});
const AdminRespondToAuthChallenge = object({
  UserPoolId,
  ClientId,
  ChallengeName: Type.String({ maxLength: 64 }),
  Session: Type.Optional(Type.String({ minLength: 20, maxLength: 2048 })),
  ChallengeResponses: Type.Optional(StringMap),
  ClientMetadata,
});
const AdminSetUserPassword = object({ UserPoolId, Username, Password, Permanent: Type.Optional(Type.Boolean()) });
const AdminResetUserPassword = object({ UserPoolId, Username, ClientMetadata });

export const adminAuthOperations: Record<string, Operation> = {
  AdminInitiateAuth: adminOperation(AdminInitiateAuth, async (input, context) => {
    await assertClientOfPool(context.services.pools, input.UserPoolId, input.ClientId);
    return initiateAuth(input, context, 'admin');
  }),

  AdminRespondToAuthChallenge: adminOperation(AdminRespondToAuthChallenge, async (input, context) => {
    await assertClientOfPool(context.services.pools, input.UserPoolId, input.ClientId);
    return respondToAuthChallenge(input, context);
  }),

  AdminSetUserPassword: adminOperation(AdminSetUserPassword, async (input, { services }) => {
    // Cognito's default: a temporary password (Permanent false).
    await services.adminPasswords.setUserPassword(input.UserPoolId, input.Username, {
      password: input.Password,
      permanent: input.Permanent === true,
    });
    return {};
  }),

  AdminResetUserPassword: adminOperation(AdminResetUserPassword, async (input, { services }) => {
    await services.adminPasswords.resetUserPassword(input.UserPoolId, input.Username, input.ClientMetadata);
    return {};
  }),
};
