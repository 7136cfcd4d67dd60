/**
 * The two lists of Cognito actions in docs/cognito-compatibility.md (answered, not yet) stay true: together they are every
 * action of the AWS SDK's Cognito client, the first is what the protocol answers, and each action
 * of the second answers UnknownOperationException naming it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as sdk from '@aws-sdk/client-cognito-identity-provider';
import { supportedActions } from '../../src/modules/cognito-protocol/protocol.ts';
import { startCognitoApp, type CognitoTestApp } from '../support/cognito.ts';

const guide = readFileSync(new URL('../../docs/cognito-compatibility.md', import.meta.url), 'utf8');

/** The action names between the guide's markers, without the notes in parentheses. */
function listed(marker: string): string[] {
  const match = new RegExp(`<!-- cognito-actions:${marker} -->([\\s\\S]*?)<!-- /cognito-actions:${marker} -->`).exec(
    guide,
  );
  assert.ok(match, `docs/cognito-compatibility.md has no ${marker} list`);
  const text = match[1]!.replace(/\([^()]*`[A-Z_]+`[^()]*\)/g, '');
  return [...text.matchAll(/`([A-Z][A-Za-z]+)`/g)]
    .map((m) => m[1]!)
    .filter((name) => !name.startsWith('UnknownOperation'));
}

const sdkActions = Object.keys(sdk)
  .filter((name) => name.endsWith('Command') && name !== 'Command' && name !== '$Command')
  .map((name) => name.slice(0, -'Command'.length))
  .sort();

describe('the lists of Cognito actions in docs/cognito-compatibility.md', () => {
  const answered = listed('answered');
  const missing = listed('missing');

  it('"Answered" is exactly what the protocol answers', () => {
    assert.deepEqual([...answered].sort(), supportedActions);
  });

  it('"Not yet" is every other action of the AWS SDK, each named once', () => {
    assert.equal(new Set(missing).size, missing.length);
    assert.deepEqual(
      [...missing].sort(),
      sdkActions.filter((action) => !supportedActions.includes(action)),
    );
  });

  describe('over the wire', () => {
    let t: CognitoTestApp;
    before(async () => {
      t = await startCognitoApp();
    });
    after(async () => {
      await t?.close();
    });

    it('every action not yet answered is an UnknownOperationException that names it', async () => {
      for (const action of missing) {
        const response = await fetch(t.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
          },
          body: '{}',
        });
        assert.equal(response.status, 400, action);
        assert.equal(response.headers.get('x-amzn-errortype'), 'UnknownOperationException', action);
        const body = (await response.json()) as { __type: string; message: string };
        assert.equal(body.__type, 'UnknownOperationException');
        assert.match(body.message, new RegExp(`Cognate does not implement ${action};`));
      }
    });
  });
});
