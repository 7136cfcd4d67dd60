import { Type } from 'typebox';
import { AttributeMap, ClientMetadata, DeliveryMedium, ref, StringEnum, Username } from './common.ts';
import { MeResponse } from './users.ts';

export const AdminCreateUserBody = Type.Object(
  {
    username: Username,
    temporaryPassword: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'Generated (and sent in the invitation) when omitted.',
      }),
    ),
    userAttributes: Type.Optional(ref(AttributeMap)),
    validationData: Type.Optional(ref(AttributeMap)),
    clientMetadata: ClientMetadata,
    forceAliasCreation: Type.Optional(
      Type.Boolean({ description: 'Take over a verified email or phone another user holds.' }),
    ),
    messageAction: Type.Optional(
      StringEnum(['SUPPRESS', 'RESEND'], {
        description:
          'SUPPRESS: no invitation. RESEND: a new invitation and temporary password for a user who has not signed in yet.',
      }),
    ),
    desiredDeliveryMediums: Type.Optional(
      Type.Array(ref(DeliveryMedium), {
        minItems: 1,
        maxItems: 2,
        uniqueItems: true,
        description: 'Default: EMAIL when the user has an email, else SMS.',
      }),
    ),
  },
  { $id: 'CreateUserRequest', additionalProperties: false },
);

/** The whole user, every attribute: what administrators see. */
export const UserResponse = MeResponse;

export const AdminUpdateUserAttributesBody = Type.Object(
  {
    userAttributes: ref(AttributeMap),
    clientMetadata: ClientMetadata,
  },
  { $id: 'AdminUpdateAttributesRequest', additionalProperties: false },
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

export const DeliveryTry = Type.Object(
  {
    attempt: Type.Integer(),
    at: Type.String({ format: 'date-time' }),
    channel: Nullable(Type.String()),
    outcome: Type.String({ description: 'sent, transient_failure or permanent_failure' }),
    providerMessageId: Nullable(Type.String()),
    error: Nullable(Type.String()),
  },
  { $id: 'DeliveryTry', additionalProperties: false, description: 'One try to send a message.' },
);

export const UserMessage = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    purpose: Type.String({
      description: 'SIGN_UP, VERIFY_ATTRIBUTE, FORGOT_PASSWORD, ADMIN_INVITATION or AUTHENTICATION',
    }),
    medium: ref(DeliveryMedium),
    destination: Type.String(),
    status: Type.String({ description: 'pending, sending, sent, failed or cancelled' }),
    attempts: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    sentAt: Nullable(Type.String({ format: 'date-time' })),
    nextAttemptAt: Nullable(
      Type.String({ format: 'date-time', description: 'When the worker tries again (pending messages)' }),
    ),
    lastError: Nullable(Type.String()),
    tries: Type.Array(ref(DeliveryTry)),
  },
  { $id: 'UserMessage', additionalProperties: false, description: 'Never the code or temporary password itself.' },
);

export const UserMessagesResponse = Type.Object(
  { messages: Type.Array(ref(UserMessage)) },
  { $id: 'UserMessageList', additionalProperties: false },
);

export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    paginationToken: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

const Change = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Boolean>>(schema: T, $id: string) =>
  Type.Object(
    { from: Type.Union([schema, Type.Null()]), to: Type.Union([schema, Type.Null()]) },
    { $id, additionalProperties: false },
  );

/** A value before and after (null: none). */
export const ValueChange = Change(Type.String(), 'ValueChange');
/** A flag before and after (null: none). */
export const FlagChange = Change(Type.Boolean(), 'FlagChange');

export const AuditActor = Type.Object(
  {
    kind: StringEnum(['user', 'admin', 'system'], {
      description: 'system: an upgrade acted (a sign-in name released by migration 0005, docs/security.md).',
    }),
    clientId: Type.Union([Type.String(), Type.Null()], { description: 'The app client the user acted through.' }),
  },
  { $id: 'AuditActor', additionalProperties: false },
);

export const AuditAttributeChange = Type.Object(
  {
    name: Type.String(),
    change: Type.String({ description: 'set, deleted, pending, pending_cleared or verified' }),
    verified: Type.Optional(ref(FlagChange)),
    value: Type.Optional(ref(ValueChange)),
  },
  { $id: 'AuditAttributeChange', additionalProperties: false },
);

export const AuditEventDetails = Type.Object(
  {
    attributes: Type.Optional(Type.Array(ref(AuditAttributeChange))),
    status: Type.Optional(ref(ValueChange)),
    enabled: Type.Optional(Type.Object({ from: Type.Boolean(), to: Type.Boolean() }, { additionalProperties: false })),
    password: Type.Optional(Type.String({ description: 'set, changed or reset; never the password' })),
    group: Type.Optional(
      Type.Object(
        { name: Type.String(), change: Type.String({ description: 'added or removed' }) },
        { additionalProperties: false, description: 'A group membership added or ended (docs/groups.md)' },
      ),
    ),
    mfa: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(
            Type.Object(
              { from: Type.Array(Type.String()), to: Type.Array(Type.String()) },
              { additionalProperties: false },
            ),
          ),
          preferred: Type.Optional(ref(ValueChange)),
          softwareToken: Type.Optional(Type.Literal('set_up')),
        },
        {
          additionalProperties: false,
          description: 'Second factors turned on or off, the preferred one, a TOTP secret set up (docs/mfa.md)',
        },
      ),
    ),
    identity: Type.Optional(
      Type.Object(
        { providerName: Type.String(), change: Type.String({ description: 'linked or unlinked' }) },
        {
          additionalProperties: false,
          description: 'A provider’s identity linked to the user or unlinked (docs/federation.md, "Users and linking")',
        },
      ),
    ),
  },
  { $id: 'AuditEventDetails', additionalProperties: false },
);

export const AuditEvent = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    at: Type.String({ format: 'date-time' }),
    action: Type.String({
      description:
        'SIGN_UP, CONFIRM_SIGN_UP, UPDATE_ATTRIBUTES, VERIFY_ATTRIBUTE, CHANGE_PASSWORD, ADMIN_UPDATE_ATTRIBUTES, ADMIN_DISABLE_USER, …',
    }),
    actor: ref(AuditActor),
    details: ref(AuditEventDetails),
  },
  { $id: 'AuditEvent', additionalProperties: false },
);

export const AuditResponse = Type.Object(
  {
    events: Type.Array(ref(AuditEvent)),
    paginationToken: Type.Optional(Type.String()),
  },
  { $id: 'AuditEventPage', additionalProperties: false },
);
