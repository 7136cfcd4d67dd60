import { Type } from 'typebox';
import { UserResponse } from './admin-users.ts';
import { ref } from './common.ts';

export const ListUsersQuery = Type.Object(
  {
    filter: Type.Optional(
      Type.String({
        maxLength: 256,
        description:
          'Cognito’s filter: `name = "value"` (exact) or `name ^= "value"` (prefix), one condition, `\\"` and `\\\\` escape inside the quotes. ' +
          'Names: username, email, phone_number, name, given_name, family_name, preferred_username, cognito:user_status, status (Enabled or Disabled), sub, ' +
          'and custom attributes the pool marks searchable. Empty: every user.',
        examples: ['email ^= "jo"'],
      }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 60,
        default: 60,
        description: 'Users per page, at most 60 (Cognito’s limit).',
      }),
    ),
    paginationToken: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description: 'From the previous page; only valid with the same pool and filter.',
      }),
    ),
    attributesToGet: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 32 }), {
        maxItems: 70,
        description:
          'Repeat the member for each attribute (`attributesToGet=email&attributesToGet=name`); absent: every attribute.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ListUsersResponse = Type.Object(
  {
    users: Type.Array(ref(UserResponse)),
    paginationToken: Type.Optional(
      Type.String({ description: 'Present while more users may follow: pass it to get the next page.' }),
    ),
  },
  { $id: 'UserPage', additionalProperties: false },
);
