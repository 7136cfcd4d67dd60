import { Type } from 'typebox';
import { ref } from './common.ts';

/** A confidential client's secrets (docs/client-secrets.md): ids and dates, a value only when it is made. */
export const ClientSecretParams = Type.Object(
  {
    poolId: Type.String({ maxLength: 64 }),
    clientId: Type.String({ maxLength: 64 }),
    secretId: Type.String({ maxLength: 128 }),
  },
  { additionalProperties: false },
);

export const ClientSecretResponse = Type.Object(
  {
    secretId: Type.String({ description: 'Cognito’s ClientSecretId: `<clientId>--<epoch milliseconds of creation>`.' }),
    createdAt: Type.String({ format: 'date-time' }),
    secret: Type.Optional(
      Type.String({ description: 'Only in the answer that generated it (51 characters of a-z and 0-9): shown once.' }),
    ),
  },
  { $id: 'ClientSecret', additionalProperties: false },
);

export const ClientSecretList = Type.Object(
  { secrets: Type.Array(ref(ClientSecretResponse), { description: 'Oldest first; at most two; never their values.' }) },
  { $id: 'ClientSecretList', additionalProperties: false },
);

export const AddClientSecretBody = Type.Object(
  {
    clientSecret: Type.Optional(
      Type.String({
        pattern: '^[\\w+]{24,64}$',
        description: 'A secret of your own (24 to 64 of letters, digits, _ and +); generated when omitted.',
      }),
    ),
  },
  { $id: 'AddClientSecretRequest', additionalProperties: false },
);
