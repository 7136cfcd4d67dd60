/**
 * Cognito's AWS JSON 1.1 face: `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`.
 * A second face of the same services, not a second implementation.
 */
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import type { IncomingSignedRequest } from '../aws-auth/index.ts';
import { findUnstorableText } from '../../lib/unstorable-text.ts';
import { adminOperations } from './admin-operations.ts';
import { adminAuthOperations } from './admin-auth-operations.ts';
import { deviceOperations } from './device-operations.ts';
import { choiceAuthOperations } from './choice-auth-operations.ts';
import { clientSecretOperations, withClientProof } from './client-secret-operations.ts';
import { groupOperations } from './group-operations.ts';
import { importJobOperations } from './import-job-operations.ts';
import { mfaOperations } from './mfa-operations.ts';
import { poolLifecycleOperations } from './pool-lifecycle-operations.ts';
import { providerLinkOperations } from './provider-link-operations.ts';
import { identityProviderOperations } from './identity-provider-operations.ts';
import { memberName } from './input-validation.ts';
import type { Operation, ProtocolServices } from './operation.ts';
import { checkMembers } from './settings-check.ts';
import { userOperations } from './user-operations.ts';
import { webConfigOperations } from './web-config-operations.ts';

export const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';

const operations: Record<string, Operation> = {
  ...userOperations,
  ...adminOperations,
  ...groupOperations,
  ...deviceOperations,
  ...choiceAuthOperations,
  ...mfaOperations,
  ...clientSecretOperations,
  ...adminAuthOperations,
  ...importJobOperations,
  ...poolLifecycleOperations,
  ...webConfigOperations,
  ...providerLinkOperations,
  ...identityProviderOperations,
};

/** The actions Cognate answers, for docs/cognito-compatibility.md and the tests. */
export const supportedActions = Object.keys(operations).sort();

/** Each action's request schema and whether it is signed, for the API fuzz (test/support/api-fuzz.ts). */
export const operationInputs = (): Array<{ action: string; signed: boolean; input: Operation['input'] }> =>
  supportedActions.map((action) => ({ action, signed: operations[action]!.signed, input: operations[action]!.input }));

export interface CognitoCall extends IncomingSignedRequest {
  target: string | undefined;
  /** The caller's address: sign-in lockouts are kept per user and source. */
  source: string;
}

export async function callCognito(
  services: ProtocolServices,
  call: CognitoCall,
): Promise<{ action: string; output: object }> {
  const action = call.target?.startsWith(TARGET_PREFIX) ? call.target.slice(TARGET_PREFIX.length) : undefined;
  if (action === undefined)
    throw new CognitoError(
      'UnknownOperationException',
      `Expected an X-Amz-Target header naming ${TARGET_PREFIX}<Action>.`,
    );
  const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
  if (!operation) {
    throw new CognitoError(
      'UnknownOperationException',
      `Cognate does not implement ${action.slice(0, 64)}; docs/cognito-compatibility.md lists the Cognito actions it answers.`,
    );
  }
  // IAM-authorised actions: the signature is checked before the body is even read.
  const scope = operation.signed ? await services.awsSignatures.verify(call) : undefined;
  const input = parseBody(call.body);
  // No member accepted and ignored (docs/cognito-settings.md): refused before anything is done.
  checkMembers(action, input as Record<string, unknown>);
  // A confidential client's SECRET_HASH or ClientSecret, checked wherever the client is read (docs/client-secrets.md).
  const output = await withClientProof(services, action, input as Record<string, unknown>, () =>
    operation.run(input, { services, source: call.source, ...(scope && { region: scope.region }) }),
  );
  return { action, output };
}

function parseBody(body: string): unknown {
  let input: unknown;
  try {
    input = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new CognitoError('SerializationException', 'The request body is not valid JSON.');
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new CognitoError('SerializationException', 'The request body must be a JSON object.');
  }
  const path = findUnstorableText(input, '');
  if (path !== undefined) {
    // Named as every other member constraint is (`userAttributes.2.member.value`); the offending characters are not repeated.
    const member = memberName(path.split('.').slice(1)).replace(
      // eslint-disable-next-line no-control-regex -- U+0000 is one of the characters replaced.
      /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      '\uFFFD',
    );
    throw invalidParameter(
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must not contain NUL characters or unpaired surrogates`,
    );
  }
  return input;
}

/**
 * Cognito's error body; clients read the name from `x-amzn-errortype` or `__type`. Only server
 * faults are 5xx, and throttling is 429 as in Cognito's model (the SDKs back off and retry it).
 */
export function toWireError(error: CognitoError) {
  // Cognito's statuses: 500 for its internal error (a database outage included), 429 for throttling, else 400.
  const status = error.name === 'InternalErrorException' ? 500 : error.name === 'TooManyRequestsException' ? 429 : 400;
  return { status, headers: { 'x-amzn-errortype': error.name }, body: { __type: error.name, message: error.message } };
}
