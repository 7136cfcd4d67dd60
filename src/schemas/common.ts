import { Type } from 'typebox';

/** RFC 9457 problem document with Cognito's exception name in `code`. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI naming the kind of problem: `urn:cognate:error:<code>`.' }),
    title: Type.String({ description: 'The Cognito exception name, for people.' }),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong, in Cognito’s words where it has them.' }),
    code: Type.String({ description: 'The Cognito exception name, e.g. `CodeMismatchException`.' }),
  },
  { $id: 'Problem', additionalProperties: false },
);

export const ProblemRef = Type.Ref('Problem');

/** What the Cognito wire protocol (`POST /`) answers on failure, as Cognito does. */
export const CognitoWireError = Type.Object(
  {
    __type: Type.String({ description: 'The Cognito exception name, also in the `x-amzn-errortype` header.' }),
    message: Type.String({ description: 'What went wrong, in Cognito’s words where it has them.' }),
  },
  { $id: 'CognitoWireError', additionalProperties: false },
);

/** Error responses declared on a route, all problem documents. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: describeStatus(status), content: { 'application/problem+json': { schema: ProblemRef } } },
    ]),
  );
}

function describeStatus(status: number): string {
  return (
    {
      400: 'Invalid request (InvalidParameterException, InvalidPasswordException, CodeMismatchException, ExpiredCodeException)',
      401: 'Bad credentials or token (NotAuthorizedException)',
      403: 'Known caller, not allowed (NotAuthorizedException, UserNotConfirmedException)',
      404: 'Not found (UserNotFoundException, ResourceNotFoundException)',
      409: 'Conflict (UsernameExistsException, AliasExistsException)',
      413: 'Body too large (InvalidParameterException)',
      415: 'Unsupported media type (InvalidParameterException)',
      429: 'Limit reached (LimitExceededException, TooManyFailedAttemptsException; TooManyRequestsException with Retry-After)',
      500: 'Internal error (InternalErrorException)',
      502: 'Code delivery failed (CodeDeliveryFailureException)',
      503: 'Not ready: the database is unavailable (InternalErrorException)',
    }[status] ?? 'Error'
  );
}

/** Cognito attribute names map to string values, as Cognito and Amplify send them. */
export const AttributeMap = Type.Record(Type.String({ minLength: 1, maxLength: 32 }), Type.String({ maxLength: 2048 }), {
  description: 'Attribute names (`email`, `custom:plan`) to string values; verified flags are "true" or "false".',
});

export const CodeDeliveryDetails = Type.Object(
  {
    destination: Type.String({ description: 'Masked as Cognito masks it: `j***@e***`, `+********1234`.' }),
    deliveryMedium: Type.Union([Type.Literal('EMAIL'), Type.Literal('SMS')]),
    attributeName: Type.Union([Type.Literal('email'), Type.Literal('phone_number')]),
  },
  { additionalProperties: false },
);

export const ClientId = Type.String({ pattern: '^[a-z0-9]{26}$', description: 'The app client id.' });
export const Username = Type.String({ minLength: 1, maxLength: 128 });
export const Password = Type.String({ minLength: 1, maxLength: 256 });
/** Cognito's code pattern: no whitespace. */
export const ConfirmationCode = Type.String({ minLength: 1, maxLength: 2048, pattern: '^\\S+$' });
export const ClientMetadata = Type.Optional(
  Type.Record(Type.String(), Type.String(), { description: 'Passed through to triggers in Cognito; accepted and ignored.' }),
);
export const Empty = Type.Object({}, { additionalProperties: false });
