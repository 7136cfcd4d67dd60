import { Type } from 'typebox';
import { AttributeMap, ClientMetadata, Username } from './common.ts';
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

export const AdminUpdateUserAttributesBody = Type.Object(
  {
    userAttributes: AttributeMap,
    clientMetadata: ClientMetadata,
  },
  { additionalProperties: false },
);

export const UserParams = Type.Object(
  { poolId: Type.String({ maxLength: 64 }), username: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const UserMessagesQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) },
  { additionalProperties: false },
);

export const UserMessagesResponse = Type.Object(
  {
    messages: Type.Array(
      Type.Object(
        {
          id: Type.String({ format: 'uuid' }),
          purpose: Type.String({ description: 'SIGN_UP, VERIFY_ATTRIBUTE, FORGOT_PASSWORD or ADMIN_INVITATION' }),
          medium: Type.Union([Type.Literal('EMAIL'), Type.Literal('SMS')]),
          destination: Type.String(),
          status: Type.String({ description: 'pending, sending, sent, failed or cancelled' }),
          attempts: Type.Integer(),
          createdAt: Type.String({ format: 'date-time' }),
          sentAt: Nullable(Type.String({ format: 'date-time' })),
          nextAttemptAt: Nullable(Type.String({ format: 'date-time', description: 'When the worker tries again (pending messages)' })),
          lastError: Nullable(Type.String()),
          tries: Type.Array(
            Type.Object(
              {
                attempt: Type.Integer(),
                at: Type.String({ format: 'date-time' }),
                channel: Nullable(Type.String()),
                outcome: Type.String({ description: 'sent, transient_failure or permanent_failure' }),
                providerMessageId: Nullable(Type.String()),
                error: Nullable(Type.String()),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false, description: 'Never the code or temporary password itself.' },
      ),
    ),
  },
  { additionalProperties: false },
);
