/**
 * What the flows hand Cognito's triggers and read back from them (docs/trigger-events.md): the
 * attributes as a Lambda sees them, and the checked members of an answer. Pure functions; the
 * call itself is the hooks module's (src/modules/hooks/hooks.types.ts).
 */
import { CognitoError } from '../../errors/cognito-error.ts';
import type { UserAttributeState } from '../attributes/index.ts';

/** A hook's failure as the hooks module throws it: refused, down or timed out, or an answer that is not the event. */
export const isHookFailure = (error: unknown): boolean =>
  error instanceof CognitoError &&
  (error.name === 'UserLambdaValidationException' ||
    error.name === 'UnexpectedLambdaException' ||
    error.name === 'InvalidLambdaResponseException');

/** Per-request data a trigger receives (the wire's ClientMetadata, REST's clientMetadata). */
export type ClientMetadata = Record<string, string>;

/**
 * A user's attributes as Cognito puts them in an event: every value as a string, the verified
 * flags as "true"/"false", `sub`, and `cognito:user_status` when the user exists. Pending values
 * (awaiting a code) are not the user's yet and are left out.
 */
export function eventAttributes(state: UserAttributeState, status?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, attribute] of Object.entries(state)) {
    out[name] = attribute.value;
    if (attribute.verified !== undefined) out[`${name}_verified`] = String(attribute.verified);
  }
  if (status) out['cognito:user_status'] = status;
  return out;
}

/** `clientMetadata` is in the request only when the caller sent some, as in Cognito. */
export const withClientMetadata = (clientMetadata: ClientMetadata | undefined) =>
  clientMetadata === undefined ? {} : { clientMetadata };

const invalidAnswer = (trigger: string, member: string, expected: string) =>
  new CognitoError('InvalidLambdaResponseException', `Invalid ${trigger} response: ${member} must be ${expected}.`);

/** A boolean member of an answer: absent or null is false; anything else but a boolean is refused. */
export function answerFlag(trigger: string, response: Record<string, unknown> | undefined, member: string): boolean {
  const value = response?.[member];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw invalidAnswer(trigger, `response.${member}`, 'a boolean');
  return value;
}

/** A string member of an answer: absent or null is undefined; anything else but a string is refused. */
export function answerText(
  trigger: string,
  response: Record<string, unknown> | undefined,
  member: string,
): string | undefined {
  const value = response?.[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidAnswer(trigger, `response.${member}`, 'a string');
  return value;
}

/** What PreSignUp's answer asks for (docs/trigger-events.md, "PreSignUp"). */
export interface PreSignUpAnswer {
  autoConfirmUser: boolean;
  autoVerifyEmail: boolean;
  autoVerifyPhone: boolean;
}

/**
 * PreSignUp's answer, checked against the attributes the user will have: asking to verify an
 * email or phone number the user does not give is refused (Cognito: the sign-up cannot complete).
 */
export function readPreSignUpAnswer(
  response: Record<string, unknown> | undefined,
  values: Record<string, string>,
): PreSignUpAnswer {
  const answer = {
    autoConfirmUser: answerFlag('PreSignUp', response, 'autoConfirmUser'),
    autoVerifyEmail: answerFlag('PreSignUp', response, 'autoVerifyEmail'),
    autoVerifyPhone: answerFlag('PreSignUp', response, 'autoVerifyPhone'),
  };
  for (const [flag, name] of [
    ['autoVerifyEmail', 'email'],
    ['autoVerifyPhone', 'phone_number'],
  ] as const) {
    if (answer[flag] && !values[name])
      throw new CognitoError(
        'InvalidLambdaResponseException',
        `Invalid PreSignUp response: response.${flag} is true but the user has no ${name}.`,
      );
  }
  return answer;
}
