import { Type } from 'typebox';
import { ClientMetadata, Password } from './common.ts';

/** AdminSetUserPassword (docs/admin-auth.md). */
export const AdminSetUserPasswordBody = Type.Object(
  {
    password: Password,
    permanent: Type.Optional(
      Type.Boolean({
        description:
          'true: the user is CONFIRMED with this password. false (the default, as in Cognito): a temporary password; the user is FORCE_CHANGE_PASSWORD and must choose a new one at the next sign-in.',
      }),
    ),
  },
  {
    $id: 'AdminSetUserPasswordRequest',
    additionalProperties: false,
    examples: [{ password: 'N3w-Passw0rd!', permanent: true }],
  },
);

/** AdminResetUserPassword (docs/admin-auth.md): the body is optional; clientMetadata goes to CustomMessage. */
export const AdminResetUserPasswordBody = Type.Object(
  { clientMetadata: ClientMetadata },
  { $id: 'AdminResetUserPasswordRequest', additionalProperties: false },
);
