import assert from 'node:assert/strict';
import { CognitoError, type CognitoErrorName } from '../../src/errors/cognito-error.ts';
import {
  buildPoolAttributeSettings,
  type Actor,
  type ClientAttributePermissions,
  type PoolAttributeSettings,
  type PoolAttributeSettingsInput,
} from '../../src/modules/attributes/index.ts';

export const UNAUTHORIZED_WRITE = 'A client attempted to write unauthorized attribute';

/** Asserts that `run` throws a CognitoError with this name, HTTP status and message part. */
export function assertCognitoError(
  run: () => unknown,
  name: CognitoErrorName,
  messagePart: string,
  status = name === 'NotAuthorizedException' ? 403 : 400,
): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CognitoError, `expected a CognitoError, got ${String(error)}`);
    assert.equal(error.name, name);
    assert.equal(error.status, status);
    assert.ok(
      error.message.includes(messagePart),
      `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(messagePart)}`,
    );
    return true;
  });
}

export const assertInvalid = (run: () => unknown, messagePart: string) =>
  assertCognitoError(run, 'InvalidParameterException', messagePart);

/** docs/api.md: an attribute outside the client's rights is NotAuthorizedException with 403. */
export const assertUnauthorizedWrite = (run: () => unknown) =>
  assertCognitoError(run, 'NotAuthorizedException', UNAUTHORIZED_WRITE, 403);

/** Freezes fixtures all the way down, so any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Runs `run` (which may throw) and asserts it left the given inputs as they were. */
export function assertUnchanged(inputs: unknown[], run: () => unknown): void {
  const before = structuredClone(inputs);
  try {
    run();
  } catch {
    // the error itself is asserted elsewhere; here only the inputs matter
  }
  assert.deepEqual(inputs, before);
}

export const pool = (input: PoolAttributeSettingsInput = {}): PoolAttributeSettings =>
  deepFreeze(buildPoolAttributeSettings(input));

export const client = (
  readAttributes: string[] | null = null,
  writeAttributes: string[] | null = null,
): ClientAttributePermissions => deepFreeze({ readAttributes, writeAttributes });

export const userActor = (perms: ClientAttributePermissions = client()): Actor =>
  deepFreeze({ kind: 'user', client: perms });
export const adminActor: Actor = deepFreeze({ kind: 'admin' });
