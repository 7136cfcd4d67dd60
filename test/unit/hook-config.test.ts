/**
 * HOOK_ARNS_FILE and the LambdaConfig check (docs/triggers.md, docs/configuration.md): what starts,
 * what refuses to start, and what a pool may store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { CognitoError } from '../../src/errors/cognito-error.ts';
import { checkLambdaConfig, hookUrlProblem, parseHookArns } from '../../src/modules/hooks/lambda-config.ts';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up';
const dir = mkdtempSync(path.join(os.tmpdir(), 'cognate-hook-config-'));
let n = 0;
function fileWith(text: string): string {
  const file = path.join(dir, `arns-${++n}.json`);
  writeFileSync(file, text);
  return file;
}

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('HOOK_ARNS_FILE', () => {
  test('unset: no ARN is mapped', () => {
    assert.deepEqual(loadConfig({}).hookArns, {});
  });

  test('a JSON object of ARN → URL is read at start', () => {
    const arns = { [ARN]: 'https://hooks.example.com/pre', [`${ARN}:live`]: 'http://127.0.0.1:9000/x' };
    assert.deepEqual(loadConfig({ HOOK_ARNS_FILE: fileWith(JSON.stringify(arns)) }).hookArns, arns);
    assert.deepEqual(loadConfig({ HOOK_ARNS_FILE: fileWith('{}') }).hookArns, {});
  });

  test('a missing, malformed or wrong file refuses to start, saying why', () => {
    const cases: [string, RegExp][] = [
      [path.join(dir, 'absent.json'), /HOOK_ARNS_FILE .*absent\.json cannot be read \(ENOENT\)/],
      [fileWith('{"arn": '), /HOOK_ARNS_FILE .*: is not JSON/],
      [fileWith('[]'), /must be a JSON object mapping Lambda ARNs to hook URLs/],
      [fileWith('"https://x"'), /must be a JSON object/],
      [fileWith(JSON.stringify({ 'not-an-arn': 'https://x.example.com' })), /"not-an-arn" is not an ARN/],
      [fileWith(JSON.stringify({ [ARN]: 42 })), /the value of "arn:.*" must be a URL string/],
      [fileWith(JSON.stringify({ [ARN]: 'lambda.example.com' })), /the value of "arn:.*" is not a valid URL/],
      [fileWith(JSON.stringify({ [ARN]: 'file:///etc/passwd' })), /must be an http:\/\/ or https:\/\/ URL/],
      [fileWith(JSON.stringify({ [ARN]: 'https://u:p@x.example.com' })), /must not carry credentials/],
    ];
    for (const [file, problem] of cases) {
      const problems = problemsOf({ HOOK_ARNS_FILE: file });
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(problems[0]!, problem);
    }
  });

  test('parseHookArns lists every problem of a file at once', () => {
    assert.throws(
      () => parseHookArns(JSON.stringify({ bad: 'https://x.example.com', [ARN]: 'nope' })),
      /"bad" is not an ARN; the value of "arn:.*" is not a valid URL/,
    );
  });
});

describe('hook URLs', () => {
  test('http and https URLs without credentials or fragment, at most 2048 characters', () => {
    assert.equal(hookUrlProblem('https://hooks.example.com/a?b=c'), undefined);
    assert.equal(hookUrlProblem('http://localhost:3001/hook'), undefined);
    assert.match(hookUrlProblem('https://x.example.com/#a')!, /fragment/);
    assert.match(hookUrlProblem(`https://x.example.com/${'a'.repeat(2048)}`)!, /longer than 2048/);
    assert.match(hookUrlProblem('javascript:alert(1)')!, /http:\/\/ or https:\/\//);
  });
});

describe('checkLambdaConfig', () => {
  const arns = { [ARN]: 'https://hooks.example.com/pre' };
  const refusal = (input: unknown) => {
    try {
      checkLambdaConfig(input, arns);
    } catch (error) {
      assert.ok(error instanceof CognitoError);
      assert.equal(error.name, 'InvalidParameterException');
      return error.message;
    }
    assert.fail('accepted');
  };

  test('keeps honoured members; null members are absent; PreTokenGenerationConfig fills PreTokenGeneration', () => {
    assert.deepEqual(checkLambdaConfig(undefined, arns), {});
    assert.deepEqual(checkLambdaConfig({ PreSignUp: ARN, PostConfirmation: null }, arns), { PreSignUp: ARN });
    assert.deepEqual(checkLambdaConfig({ PreTokenGenerationConfig: { LambdaVersion: 'V3_0', LambdaArn: ARN } }, arns), {
      PreTokenGeneration: ARN,
      PreTokenGenerationConfig: { LambdaVersion: 'V3_0', LambdaArn: ARN },
    });
  });

  test('refuses by name', () => {
    assert.match(refusal({ CustomSMSSender: ARN }), /^LambdaConfig\.CustomSMSSender is not supported yet/);
    assert.match(refusal({ Bogus: ARN }), /^LambdaConfig\.Bogus is not a LambdaConfig member/);
    assert.match(refusal({ PreSignUp: `${ARN}x` }), /^LambdaConfig\.PreSignUp: the ARN .* is not mapped/);
    assert.match(refusal({ PreSignUp: 42 }), /^LambdaConfig\.PreSignUp must be an http\(s\) URL/);
    assert.match(refusal({ PreSignUp: '' }), /^LambdaConfig\.PreSignUp must be/);
    assert.match(refusal({ PreTokenGenerationConfig: { LambdaVersion: 'V1_0' } }), /LambdaArn must be an http\(s\)/);
    assert.match(
      refusal({ PreTokenGenerationConfig: { LambdaVersion: 'V5', LambdaArn: ARN } }),
      /LambdaVersion must be/,
    );
    assert.match(
      refusal({ PreTokenGenerationConfig: { LambdaVersion: 'V1_0', LambdaArn: ARN, Extra: 1 } }),
      /PreTokenGenerationConfig\.Extra is not a member/,
    );
    assert.match(refusal([]), /LambdaConfig must be an object/);
    // An ARN-like key of Object.prototype is no mapping.
    assert.match(refusal({ PreSignUp: 'constructor' }), /must be an http\(s\) URL or a Lambda ARN/);
  });
});
