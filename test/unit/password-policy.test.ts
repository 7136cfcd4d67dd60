import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CognitoError } from '../../src/errors/cognito-error.ts';
import { checkPassword, defaultPolicies, resolvePolicies } from '../../src/modules/pools/pool-settings.ts';

const strict = defaultPolicies.password;

describe('password policy', () => {
  const cases: Array<[string, string | null]> = [
    ['Passw0rd!', null],
    ['Pa0!', 'Password not long enough'],
    ['PASSW0RD!', 'Password must have lowercase characters'],
    ['passw0rd!', 'Password must have uppercase characters'],
    ['Password!', 'Password must have numeric characters'],
    ['Passw0rdX', 'Password must have symbol characters'],
    ['Passw0rd ', null], // a space is one of Cognito's symbols
    ['Ünïcødé9^', null],
  ];
  for (const [password, problem] of cases) {
    test(`${JSON.stringify(password)} → ${problem ?? 'accepted'}`, () => {
      if (problem === null) return checkPassword(strict, password);
      assert.throws(
        () => checkPassword(strict, password),
        (error: unknown) =>
          error instanceof CognitoError &&
          error.name === 'InvalidPasswordException' &&
          error.status === 400 &&
          error.message === `Password did not conform with policy: ${problem}`,
      );
    });
  }

  test('a relaxed policy accepts what it does not require', () => {
    const relaxed = {
      minimumLength: 6,
      requireUppercase: false,
      requireLowercase: true,
      requireNumbers: false,
      requireSymbols: false,
    };
    checkPassword(relaxed, 'simple');
  });
});

describe('pool policies', () => {
  test('defaults follow Cognito: 24 h sign-up and attribute codes, 1 h reset, 5 tries, 5 sends and 15 confirms an hour', () => {
    assert.deepEqual(resolvePolicies().codes, {
      signUpCodeTtlSeconds: 86400,
      attributeCodeTtlSeconds: 86400,
      passwordResetCodeTtlSeconds: 3600,
      maxAttempts: 5,
      sendsPerHour: 5,
      confirmsPerHour: 15,
    });
  });

  test('overrides merge over the defaults', () => {
    const policies = resolvePolicies({ codes: { attributeCodeTtlSeconds: 600 }, password: { minimumLength: 12 } });
    assert.equal(policies.codes.attributeCodeTtlSeconds, 600);
    assert.equal(policies.codes.maxAttempts, 5);
    assert.equal(policies.password.minimumLength, 12);
    assert.equal(policies.password.requireSymbols, true);
  });

  test('token lifetimes outside Cognito’s bounds are refused', () => {
    assert.throws(
      () => resolvePolicies({ tokens: { accessTokenTtlSeconds: 60 } }),
      /accessTokenTtlSeconds must be between 300 and 86400/,
    );
    assert.throws(() => resolvePolicies({ tokens: { refreshTokenTtlSeconds: 60 } }), /refreshTokenTtlSeconds/);
  });
});
