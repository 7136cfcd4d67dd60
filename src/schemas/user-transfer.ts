import { Type } from 'typebox';
import { AttributeMap, ref } from './common.ts';
import { UserStatus } from './users.ts';

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
    'application/x-ndjson: lines of an export (see ExportUsers). text/csv: Cognito’s user-import CSV (header `cognito:username`, attribute columns, `cognito:mfa_enabled`); those users get no password and status RESET_REQUIRED.',
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
