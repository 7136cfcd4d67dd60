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

export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    paginationToken: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

const Change = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Boolean>>(schema: T) =>
  Type.Object({ from: Type.Union([schema, Type.Null()]), to: Type.Union([schema, Type.Null()]) }, { additionalProperties: false });

export const AuditResponse = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          id: Type.String({ format: 'uuid' }),
          at: Type.String({ format: 'date-time' }),
          action: Type.String({ description: 'SIGN_UP, CONFIRM_SIGN_UP, UPDATE_ATTRIBUTES, VERIFY_ATTRIBUTE, CHANGE_PASSWORD, ADMIN_UPDATE_ATTRIBUTES, ADMIN_DISABLE_USER, …' }),
          actor: Type.Object(
            {
              kind: Type.Union([Type.Literal('user'), Type.Literal('admin'), Type.Literal('system')], {
                description: 'system: an upgrade acted (a sign-in name released by migration 0005, docs/security.md).',
              }),
              clientId: Type.Union([Type.String(), Type.Null()], { description: 'The app client the user acted through.' }),
            },
            { additionalProperties: false },
          ),
          details: Type.Object(
            {
              attributes: Type.Optional(
                Type.Array(
                  Type.Object(
                    {
                      name: Type.String(),
                      change: Type.String({ description: 'set, deleted, pending, pending_cleared or verified' }),
                      verified: Type.Optional(Change(Type.Boolean())),
                      value: Type.Optional(Change(Type.String())),
                    },
                    { additionalProperties: false },
                  ),
                ),
              ),
              status: Type.Optional(Change(Type.String())),
              enabled: Type.Optional(Type.Object({ from: Type.Boolean(), to: Type.Boolean() }, { additionalProperties: false })),
              password: Type.Optional(Type.String({ description: 'set, changed or reset; never the password' })),
            },
            { additionalProperties: false },
          ),
        },
        { additionalProperties: false },
      ),
    ),
    paginationToken: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
