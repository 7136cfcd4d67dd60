import { Type } from 'typebox';
import { AttributeMap, ref, StringEnum } from './common.ts';
import { UserStatus } from './users.ts';

const TransferFactor = StringEnum(['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP']);

/** A user's second factors in a transfer file (docs/user-import.md, "MFA"). */
export const TransferMfa = Type.Object(
  {
    enabled: Type.Array(TransferFactor, { description: 'Factors on; each must be offered by the importing pool.' }),
    preferred: Type.Union([TransferFactor, Type.Null()], { description: 'One of `enabled`, or null.' }),
    totp: Type.Optional(
      Type.Object(
        {
          secret: Type.String({
            description: 'The TOTP secret sealed with the x-transfer-key of the export (AES-256-GCM); never in clear.',
          }),
          deviceName: Type.Union([Type.String(), Type.Null()]),
          lastStep: Type.Union([Type.Integer(), Type.Null()], {
            description: 'The last TOTP time step accepted: a code used before the move is not accepted again.',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    $id: 'ExportedUserMfa',
    additionalProperties: false,
    description:
      'Absent when the user has no factor. `totp` only in an export made with x-transfer-key; a line enabling SOFTWARE_TOKEN_MFA without it is refused.',
  },
);

/** The key TOTP secrets are sealed with in a file: on export to include them, on import to open them. */
export const TransferHeaders = Type.Object({
  'x-transfer-key': Type.Optional(
    Type.String({
      minLength: 32,
      maxLength: 1024,
      description:
        'A secret of at least 32 characters (e.g. `openssl rand -base64 32`). Export: verified TOTP secrets are included, sealed with it. Import: opens them. Without it no TOTP secret leaves the server.',
    }),
  ),
});

/** One line of an export (application/x-ndjson), and what a JSON Lines import reads back. */
export const TransferUser = Type.Object(
  {
    username: Type.String({ description: 'In pools that sign in with email or phone, the sub.' }),
    sub: Type.String({ format: 'uuid', description: 'Kept by the import.' }),
    status: ref(UserStatus),
    enabled: Type.Boolean(),
    attributes: ref(AttributeMap),
    pendingValues: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Keep-original mode: new email or phone_number values awaiting their code.',
      }),
    ),
    passwordHash: Type.Union([
      Type.String({ description: 'argon2id PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.' }),
      Type.Null(),
    ]),
    createdAt: Type.Optional(Type.String({ format: 'date-time' })),
    updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
    groups: Type.Optional(Type.Array(Type.String(), { description: 'The groups the user is in.' })),
    mfa: Type.Optional(ref(TransferMfa)),
    identities: Type.Optional(
      Type.Array(
        Type.Object(
          {
            providerName: Type.String(),
            providerType: Type.String({ description: 'OIDC, Google, Facebook, LoginWithAmazon or SignInWithApple.' }),
            subject: Type.String({ description: 'The user’s id at the provider.' }),
            primary: Type.Boolean({ description: 'true: the identity an EXTERNAL_PROVIDER user was created from.' }),
            createdAt: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        {
          maxItems: 5,
          description:
            'The user’s federated identities (docs/user-import.md, "Federated users"); the `identities` attribute is written from them.',
        },
      ),
    ),
  },
  {
    $id: 'ExportedUser',
    additionalProperties: false,
    description: 'One user per line. Holds the password hash: keep the file secret.',
  },
);

/** The request body is streamed, never parsed whole: this only documents it. */
export const ImportUsersBody = Type.Unknown({
  description:
    'application/x-ndjson: lines of an export (see ExportUsers). text/csv: Cognito’s user-import CSV (header `cognito:username`, attribute columns, `cognito:mfa_enabled`: true turns SMS_MFA on and needs phone_number); those users get no password and status RESET_REQUIRED.',
});

export const ImportRejection = Type.Object(
  {
    line: Type.Integer({ description: 'Line of the file (for CSV, where the record ends).' }),
    username: Type.Optional(Type.String()),
    reason: Type.String(),
  },
  { $id: 'ImportRejection', additionalProperties: false },
);

export const ImportUsersResponse = Type.Object(
  {
    imported: Type.Integer({ description: 'Users created.' }),
    rejectedCount: Type.Integer({ description: 'Rows refused; none of them was partly written.' }),
    rejected: Type.Array(ref(ImportRejection), { description: 'The first 1000 refused rows, in file order.' }),
  },
  { $id: 'ImportReport', additionalProperties: false },
);
