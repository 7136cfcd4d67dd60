/**
 * The one error type modules throw. `name` is the Cognito exception name, so
 * people and programs who know Cognito know what happened; the HTTP layer maps
 * it to a status (REST) or to Cognito's `{__type, message}` (wire protocol).
 */
export const errorCatalog = {
  InvalidParameterException: { status: 400, message: 'Invalid parameter.' },
  InvalidPasswordException: { status: 400, message: 'Password did not conform with policy.' },
  CodeMismatchException: { status: 400, message: 'Invalid verification code provided, please try again.' },
  ExpiredCodeException: { status: 400, message: 'Invalid code provided, please request a code again.' },
  UnsupportedUserStateException: { status: 400, message: 'The user is in a state that does not allow this.' },
  NotAuthorizedException: { status: 401, message: 'Incorrect username or password.' },
  UserNotConfirmedException: { status: 403, message: 'User is not confirmed.' },
  PasswordResetRequiredException: { status: 403, message: 'Password reset required for the user.' },
  UserNotFoundException: { status: 404, message: 'User does not exist.' },
  ResourceNotFoundException: { status: 404, message: 'Resource not found.' },
  UsernameExistsException: { status: 409, message: 'User already exists' },
  AliasExistsException: { status: 409, message: 'An account with the email already exists.' },
  GroupExistsException: { status: 409, message: 'A group with the name already exists.' },
  // Identity providers (docs/federation.md, "Configuring providers"): the name or an IdpIdentifier is taken in the pool.
  DuplicateProviderException: { status: 409, message: 'The provider already exists.' },
  // A client's OAuth settings (docs/web-sign-in.md, "Configuring a client"): flows that do not go together; an unknown scope.
  InvalidOAuthFlowException: { status: 400, message: 'The OAuth flows are not valid together.' },
  ScopeDoesNotExistException: { status: 400, message: 'Invalid scope requested.' },
  // An import job asked to do what its status does not allow (docs/user-import.md, "Import jobs").
  PreconditionNotMetException: { status: 409, message: 'A precondition is not met.' },
  LimitExceededException: { status: 429, message: 'Attempt limit exceeded, please try after some time.' },
  TooManyFailedAttemptsException: {
    status: 429,
    message: 'Too many failed attempts for this code, please request a new code.',
  },
  TooManyRequestsException: { status: 429, message: 'Too many requests.' },
  CodeDeliveryFailureException: { status: 502, message: 'The verification code could not be delivered.' },
  // TOTP (docs/mfa.md): a wrong code at VerifySoftwareToken; TOTP not offered by the pool.
  EnableSoftwareTokenMFAException: { status: 400, message: 'Code mismatch and fail enable Software Token MFA' },
  SoftwareTokenMFANotFoundException: { status: 400, message: 'Software Token MFA is not enabled for the user pool.' },
  InternalErrorException: { status: 500, message: 'Internal error.' },
  // A pool's hook (docs/triggers.md): refused the operation, failed, or answered something that is not the event.
  UserLambdaValidationException: { status: 400, message: 'The hook refused the operation.' },
  UnexpectedLambdaException: { status: 502, message: 'The hook could not be called.' },
  InvalidLambdaResponseException: { status: 502, message: 'The hook answered something that is not the event.' },
  // AWS's own answers on the Cognito wire protocol (signatures, unknown actions, unreadable bodies).
  MissingAuthenticationTokenException: { status: 400, message: 'Missing Authentication Token' },
  UnrecognizedClientException: { status: 400, message: 'The security token included in the request is invalid.' },
  InvalidSignatureException: {
    status: 400,
    message:
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  },
  UnsupportedTokenTypeException: { status: 400, message: 'Unsupported token type' },
  UnknownOperationException: { status: 400, message: 'Unknown operation.' },
  SerializationException: { status: 400, message: 'Start of structure or map found where not expected.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type CognitoErrorName = keyof typeof errorCatalog;

export class CognitoError extends Error {
  override readonly name: CognitoErrorName;
  /** HTTP status for the REST face; overridable where docs/api.md, "Decisions" says so (403 vs 401). */
  readonly status: number;

  constructor(name: CognitoErrorName, message?: string, options?: { status?: number; cause?: unknown }) {
    super(message ?? errorCatalog[name].message, { cause: options?.cause });
    this.name = name;
    this.status = options?.status ?? errorCatalog[name].status;
  }
}

/** NotAuthorizedException for a caller who is known but not allowed: 403, not 401. */
export function forbidden(message: string): CognitoError {
  return new CognitoError('NotAuthorizedException', message, { status: 403 });
}

export function invalidParameter(message: string): CognitoError {
  return new CognitoError('InvalidParameterException', message);
}

export function isCognitoError(error: unknown): error is CognitoError {
  return error instanceof CognitoError;
}

export const userNotFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');
export const incorrectCredentials = () => new CognitoError('NotAuthorizedException', 'Incorrect username or password.');
export const passwordResetRequired = () =>
  new CognitoError('PasswordResetRequiredException', 'Password reset required for the user');

/** A user an external identity provider created has no password in the pool (docs/federation.md, "Users and linking"). */
export const federatedNoPassword = () =>
  new CognitoError(
    'NotAuthorizedException',
    'The user signs in through an external identity provider and has no password in this user pool.',
    { status: 403 },
  );
