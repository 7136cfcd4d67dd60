import { Type, type Static, type TSchema, type TSchemaOptions } from 'typebox';
import { errorCatalog, type CognitoErrorName } from '../errors/cognito-error.ts';

/**
 * A use of a named component (a schema with an `$id`, registered with app.addSchema): written
 * `$ref` so openapi.yaml holds the object once, typed as the object itself.
 */
export function ref<T extends TSchema>(schema: T, options: TSchemaOptions = {}) {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new Error('ref(): the schema has no $id');
  return Type.Unsafe<Static<T>>(Type.Ref(id, options));
}

/** A string enum (`type: string` with `enum`), never a union of one-value literals. */
export function StringEnum<const V extends string[]>(values: readonly [...V], options: TSchemaOptions = {}) {
  return Type.Enum(values, { type: 'string', ...options });
}

/** Cognito exception names: the error catalogue is the one list. */
export const ErrorCode = StringEnum(Object.keys(errorCatalog) as CognitoErrorName[], {
  $id: 'ErrorCode',
  description: 'The Cognito exception name, e.g. `CodeMismatchException`.',
});

/** RFC 9457 problem document with Cognito's exception name in `code`. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI naming the kind of problem: `urn:cognate:error:<code>`.' }),
    title: Type.String({ description: 'The Cognito exception name, for people.' }),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong, in Cognito’s words where it has them.' }),
    code: ref(ErrorCode),
  },
  {
    $id: 'Problem',
    additionalProperties: false,
    examples: [
      {
        type: 'urn:cognate:error:CodeMismatchException',
        title: 'CodeMismatchException',
        status: 400,
        detail: 'Invalid verification code provided, please try again.',
        code: 'CodeMismatchException',
      },
    ],
  },
);

export const ProblemRef = ref(Problem);

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

/** The names of the shared error answers (components/responses), by status. */
const PROBLEM_RESPONSE_NAMES: Record<string, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'ContentTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  500: 'InternalError',
  502: 'CodeDeliveryFailure',
  503: 'ServiceUnavailable',
};

type ResponseObject = { description?: string; content?: Record<string, { schema?: { $ref?: string } }> } & Record<
  string,
  unknown
>;
type OpenApiPaths = Record<
  string,
  Record<string, { responses?: Record<string, ResponseObject | { $ref: string }> } | unknown>
>;

/**
 * Writes each problem answer `problems(...)` declares once, under components/responses, and has
 * operations refer to it by `$ref` (swagger writes route responses out in full). Only answers
 * exactly as `problems` makes them are shared; anything a route states differently stays inline.
 */
export function shareProblemResponses(document: { paths?: OpenApiPaths; components?: Record<string, unknown> }) {
  const shared: Record<string, ResponseObject> = {};
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item)) {
      const responses = (operation as { responses?: Record<string, ResponseObject> } | null)?.responses;
      if (!responses || typeof responses !== 'object') continue;
      for (const [status, response] of Object.entries(responses)) {
        const name = PROBLEM_RESPONSE_NAMES[status];
        const media = Object.keys(response.content ?? {});
        const isShared =
          name &&
          Object.keys(response).sort().join() === 'content,description' &&
          response.description === describeStatus(Number(status)) &&
          media.length === 1 &&
          media[0] === 'application/problem+json' &&
          response.content!['application/problem+json']!.schema?.$ref === '#/components/schemas/Problem' &&
          Object.keys(response.content!['application/problem+json']!).join() === 'schema' &&
          Object.keys(response.content!['application/problem+json']!.schema!).join() === '$ref';
        if (!isShared) continue;
        shared[status] = response;
        responses[status] = { $ref: `#/components/responses/${name}` } as ResponseObject;
      }
    }
  }
  const ordered = Object.keys(shared)
    .sort()
    .map((status) => [PROBLEM_RESPONSE_NAMES[status]!, shared[status]!]);
  if (ordered.length) document.components = { ...document.components, responses: Object.fromEntries(ordered) };
  return document;
}

function describeStatus(status: number): string {
  return (
    {
      400: 'Invalid request (InvalidParameterException, InvalidPasswordException, CodeMismatchException, ExpiredCodeException), or refused by a hook (UserLambdaValidationException)',
      401: 'Bad credentials or token (NotAuthorizedException)',
      403: 'Known caller, not allowed (NotAuthorizedException, UserNotConfirmedException)',
      404: 'Not found (UserNotFoundException, ResourceNotFoundException)',
      409: 'Conflict (UsernameExistsException, AliasExistsException)',
      413: 'Body too large (InvalidParameterException)',
      415: 'Unsupported media type (InvalidParameterException)',
      429: 'Limit reached (LimitExceededException, TooManyFailedAttemptsException; TooManyRequestsException with Retry-After)',
      500: 'Internal error (InternalErrorException)',
      502: 'Code delivery failed (CodeDeliveryFailureException), or a hook failed (UnexpectedLambdaException, InvalidLambdaResponseException)',
      503: 'Not ready: the database is unavailable (InternalErrorException)',
    }[status] ?? 'Error'
  );
}

/** Cognito attribute names map to string values, as Cognito and Amplify send them. */
export const AttributeMap = Type.Record(
  Type.String({ minLength: 1, maxLength: 32 }),
  Type.String({ maxLength: 2048 }),
  {
    $id: 'AttributeMap',
    description: 'Attribute names (`email`, `custom:plan`) to string values; verified flags are "true" or "false".',
  },
);

export const DeliveryMedium = StringEnum(['EMAIL', 'SMS'], { $id: 'DeliveryMedium' });
/** The attributes a code verifies. */
export const VerifiableAttribute = StringEnum(['email', 'phone_number'], { $id: 'VerifiableAttribute' });

export const CodeDeliveryDetails = Type.Object(
  {
    destination: Type.String({ description: 'Masked as Cognito masks it: `j***@e***`, `+********1234`.' }),
    deliveryMedium: ref(DeliveryMedium),
    attributeName: ref(VerifiableAttribute),
  },
  {
    $id: 'CodeDeliveryDetails',
    additionalProperties: false,
    examples: [{ destination: 'j***@e***', deliveryMedium: 'EMAIL', attributeName: 'email' }],
  },
);

export const ClientId = Type.String({ pattern: '^[a-z0-9]{26}$', description: 'The app client id.' });
export const Username = Type.String({ minLength: 1, maxLength: 128 });
export const Password = Type.String({ minLength: 1, maxLength: 256 });
/** Cognito's code pattern: no whitespace. */
export const ConfirmationCode = Type.String({ minLength: 1, maxLength: 2048, pattern: '^\\S+$' });
export const ClientMetadataMap = Type.Record(Type.String(), Type.String(), {
  $id: 'ClientMetadata',
  description: 'Passed through to triggers in Cognito; accepted and ignored.',
});
export const ClientMetadata = Type.Optional(ref(ClientMetadataMap));
export const Empty = Type.Object({}, { $id: 'Empty', additionalProperties: false, description: 'No members.' });
