import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CognitoError } from '../../src/errors/cognito-error.ts';
import { groupClaims } from '../../src/modules/groups/groups.service.ts';
import { applyPreTokenResponse, preTokenEvent } from '../../src/modules/tokens/pre-token-generation.ts';

const base = {
  groups: { groups: ['a'], roles: ['arn:r'], preferredRole: 'arn:r' },
  scopes: ['aws.cognito.signin.user.admin'],
};

const invalidAnswer = (fn: () => unknown) =>
  assert.throws(
    fn,
    (error: unknown) => error instanceof CognitoError && error.name === 'InvalidLambdaResponseException',
  );

describe('PreTokenGeneration answers', () => {
  test('no hook, or a null answer: nothing changes', () => {
    for (const response of [undefined, { claimsOverrideDetails: null }, {}]) {
      const result = applyPreTokenResponse('V1_0', response, base);
      assert.deepEqual(result.idClaims, {});
      assert.deepEqual(result.groups, base.groups);
      assert.deepEqual(result.scopes, base.scopes);
    }
  });

  test('reserved and cognito: claims are dropped, to add or to suppress; __proto__ too', () => {
    const answer = JSON.parse(
      '{"claimsOverrideDetails":{"claimsToAddOrOverride":{"sub":"x","iss":"x","exp":"1","cognito:groups":"x","__proto__":"x","ok":"yes"},"claimsToSuppress":["aud","cognito:username","email"]}}',
    );
    const result = applyPreTokenResponse('V1_0', answer, base);
    assert.deepEqual(Object.keys(result.idClaims), ['ok']);
    assert.deepEqual(result.idSuppress, ['email']);
    const v2 = applyPreTokenResponse(
      'V2_0',
      JSON.parse(
        '{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"claimsToAddOrOverride":{"__proto__":{"polluted":true},"ok":1}}}}',
      ),
      base,
    );
    assert.equal(Object.getPrototypeOf(v2.accessClaims), Object.prototype);
    assert.deepEqual({ ...v2.accessClaims }, { ok: 1 });
  });

  test('V1_0 takes only string claims; V2_0 any JSON; wrong shapes are invalid answers', () => {
    invalidAnswer(() =>
      applyPreTokenResponse('V1_0', { claimsOverrideDetails: { claimsToAddOrOverride: { n: 1 } } }, base),
    );
    invalidAnswer(() => applyPreTokenResponse('V1_0', { claimsOverrideDetails: 'no' }, base));
    invalidAnswer(() => applyPreTokenResponse('V1_0', { claimsOverrideDetails: { claimsToSuppress: 'email' } }, base));
    invalidAnswer(() =>
      applyPreTokenResponse(
        'V2_0',
        { claimsAndScopeOverrideDetails: { groupOverrideDetails: { groupsToOverride: [1] } } },
        base,
      ),
    );
    invalidAnswer(() =>
      applyPreTokenResponse(
        'V2_0',
        { claimsAndScopeOverrideDetails: { accessTokenGeneration: { scopesToAdd: ['two words'] } } },
        base,
      ),
    );
    const v2 = applyPreTokenResponse(
      'V2_0',
      { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: { n: 1, o: { p: [true] } } } } },
      base,
    );
    assert.deepEqual(v2.idClaims, { n: 1, o: { p: [true] } });
  });

  test('V2_0 scopes: added, suppressed, never doubled', () => {
    const result = applyPreTokenResponse(
      'V2_0',
      {
        claimsAndScopeOverrideDetails: {
          accessTokenGeneration: {
            scopesToAdd: ['a/read', 'a/read', 'aws.cognito.signin.user.admin'],
            scopesToSuppress: ['aws.cognito.signin.user.admin'],
          },
        },
      },
      base,
    );
    assert.deepEqual(result.scopes, ['a/read']);
  });

  test('group overrides: a member left out keeps the computed value; preferredRole null removes it', () => {
    const kept = applyPreTokenResponse(
      'V1_0',
      { claimsOverrideDetails: { groupOverrideDetails: { groupsToOverride: ['z'] } } },
      base,
    );
    assert.deepEqual(kept.groups, { groups: ['z'], roles: ['arn:r'], preferredRole: 'arn:r' });
    const cleared = applyPreTokenResponse(
      'V1_0',
      { claimsOverrideDetails: { groupOverrideDetails: { preferredRole: null } } },
      base,
    );
    assert.equal(cleared.groups.preferredRole, undefined);
  });

  test('events: V1_0 without scopes, V2_0 with them; response pre-filled as Cognito does', () => {
    const input = {
      userAttributes: { sub: 's' },
      groups: { groups: [], roles: [] },
      clientMetadata: {},
      scopes: ['x'],
    };
    const v1 = preTokenEvent('V1_0', input);
    assert.deepEqual(v1.request, {
      userAttributes: { sub: 's' },
      groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: null },
      clientMetadata: {},
    });
    assert.deepEqual(v1.response, { claimsOverrideDetails: null });
    const v2 = preTokenEvent('V2_0', input);
    assert.deepEqual(v2.request.scopes, ['x']);
    assert.deepEqual(v2.response, { claimsAndScopeOverrideDetails: null });
  });
});

describe('group claims', () => {
  const g = (name: string, precedence: number | null, roleArn: string | null) => ({ name, precedence, roleArn });
  test('order by precedence then name, nulls last; distinct roles', () => {
    const claims = groupClaims([g('b', null, 'arn:1'), g('c', 2, 'arn:1'), g('a', 2, null), g('d', 0, null)]);
    assert.deepEqual(claims.groups, ['d', 'a', 'c', 'b']);
    assert.deepEqual(claims.roles, ['arn:1']);
    assert.equal(claims.preferredRole, 'arn:1');
  });
  test('a tie between different roles sets no preferred role; none without roles', () => {
    assert.equal(groupClaims([g('a', 1, 'arn:1'), g('b', 1, 'arn:2'), g('c', 5, 'arn:3')]).preferredRole, undefined);
    assert.equal(groupClaims([g('a', 1, null)]).preferredRole, undefined);
    assert.deepEqual(groupClaims([]), { groups: [], roles: [] });
  });
});
