import { Type } from 'typebox';
import { AttributeMap, Username } from './common.ts';
import { MeResponse } from './users.ts';

export const AdminCreateUserBody = Type.Object(
  {
    username: Username,
    temporaryPassword: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Generated (and sent in the invitation) when omitted.' })),
    userAttributes: Type.Optional(AttributeMap),
    forceAliasCreation: Type.Optional(Type.Boolean({ description: 'Take over a verified email or phone another user holds.' })),
    messageAction: Type.Optional(
      Type.Union([Type.Literal('SUPPRESS'), Type.Literal('RESEND')], {
        description: 'SUPPRESS: no invitation. RESEND: a new invitation and temporary password for a user who has not signed in yet.',
      }),
    ),
    desiredDeliveryMediums: Type.Optional(
      Type.Array(Type.Union([Type.Literal('EMAIL'), Type.Literal('SMS')]), {
        minItems: 1,
        maxItems: 2,
        uniqueItems: true,
        description: 'Default: EMAIL when the user has an email, else SMS.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The whole user, every attribute: what administrators see. */
export const UserResponse = MeResponse;

export const UserParams = Type.Object(
  { poolId: Type.String({ maxLength: 64 }), username: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
