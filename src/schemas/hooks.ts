import { Type } from 'typebox';
import { invalidParameter } from '../errors/cognito-error.ts';
import type { PoolLambdaConfig } from '../modules/hooks/hooks.types.ts';
import { StringEnum } from './common.ts';

const HookTarget = (trigger: string) =>
  Type.String({
    minLength: 1,
    maxLength: 2048,
    description: `The ${trigger} hook: an http(s) URL, or a Lambda ARN that HOOK_ARNS_FILE maps to one (docs/triggers.md).`,
  });

/**
 * A pool's hooks on the REST face: Cognito's LambdaConfig in camelCase (docs/triggers.md,
 * "Configuring hooks"). The triggers of later issues are not members, so they are refused.
 */
export const PoolHooks = Type.Object(
  {
    preSignUp: Type.Optional(HookTarget('PreSignUp')),
    postConfirmation: Type.Optional(HookTarget('PostConfirmation')),
    preAuthentication: Type.Optional(HookTarget('PreAuthentication')),
    postAuthentication: Type.Optional(HookTarget('PostAuthentication')),
    preTokenGeneration: Type.Optional(HookTarget('PreTokenGeneration')),
    preTokenGenerationVersion: Type.Optional(
      StringEnum(['V1_0', 'V2_0', 'V3_0'], {
        description:
          'The event version the preTokenGeneration hook speaks (Cognito’s PreTokenGenerationConfig.LambdaVersion); default V1_0.',
      }),
    ),
    customMessage: Type.Optional(HookTarget('CustomMessage')),
    userMigration: Type.Optional(HookTarget('UserMigration')),
    defineAuthChallenge: Type.Optional(HookTarget('DefineAuthChallenge')),
    createAuthChallenge: Type.Optional(HookTarget('CreateAuthChallenge')),
    verifyAuthChallengeResponse: Type.Optional(HookTarget('VerifyAuthChallengeResponse')),
  },
  {
    $id: 'PoolHooks',
    additionalProperties: false,
    description:
      'The pool’s triggers as signed HTTP hooks (docs/triggers.md). Given to PATCH, it replaces the whole set: a trigger left out is removed, {} removes all.',
    examples: [
      {
        preSignUp: 'https://hooks.example.com/pre-sign-up',
        preTokenGeneration: 'https://hooks.example.com/claims',
        preTokenGenerationVersion: 'V2_0',
      },
    ],
  },
);

export interface PoolHooksInput {
  preSignUp?: string;
  postConfirmation?: string;
  preAuthentication?: string;
  postAuthentication?: string;
  preTokenGeneration?: string;
  preTokenGenerationVersion?: 'V1_0' | 'V2_0' | 'V3_0';
  customMessage?: string;
  userMigration?: string;
  defineAuthChallenge?: string;
  createAuthChallenge?: string;
  verifyAuthChallengeResponse?: string;
}

/** The REST hooks as Cognito's LambdaConfig members; the pools module checks each value. */
export function lambdaConfigFromHooks(hooks: PoolHooksInput): Record<string, unknown> {
  if (hooks.preTokenGenerationVersion !== undefined && hooks.preTokenGeneration === undefined) {
    throw invalidParameter(
      'hooks.preTokenGenerationVersion needs hooks.preTokenGeneration, the hook it is the version of.',
    );
  }
  return {
    ...(hooks.preSignUp !== undefined && { PreSignUp: hooks.preSignUp }),
    ...(hooks.postConfirmation !== undefined && { PostConfirmation: hooks.postConfirmation }),
    ...(hooks.preAuthentication !== undefined && { PreAuthentication: hooks.preAuthentication }),
    ...(hooks.postAuthentication !== undefined && { PostAuthentication: hooks.postAuthentication }),
    ...(hooks.preTokenGeneration !== undefined && {
      PreTokenGeneration: hooks.preTokenGeneration,
      PreTokenGenerationConfig: {
        LambdaVersion: hooks.preTokenGenerationVersion ?? 'V1_0',
        LambdaArn: hooks.preTokenGeneration,
      },
    }),
    ...(hooks.customMessage !== undefined && { CustomMessage: hooks.customMessage }),
    ...(hooks.userMigration !== undefined && { UserMigration: hooks.userMigration }),
    ...(hooks.defineAuthChallenge !== undefined && { DefineAuthChallenge: hooks.defineAuthChallenge }),
    ...(hooks.createAuthChallenge !== undefined && { CreateAuthChallenge: hooks.createAuthChallenge }),
    ...(hooks.verifyAuthChallengeResponse !== undefined && {
      VerifyAuthChallengeResponse: hooks.verifyAuthChallengeResponse,
    }),
  };
}

export function presentHooks(config: PoolLambdaConfig): PoolHooksInput {
  const preTokenGeneration = config.PreTokenGenerationConfig?.LambdaArn ?? config.PreTokenGeneration;
  return {
    ...(config.PreSignUp && { preSignUp: config.PreSignUp }),
    ...(config.PostConfirmation && { postConfirmation: config.PostConfirmation }),
    ...(config.PreAuthentication && { preAuthentication: config.PreAuthentication }),
    ...(config.PostAuthentication && { postAuthentication: config.PostAuthentication }),
    ...(preTokenGeneration && {
      preTokenGeneration,
      preTokenGenerationVersion: config.PreTokenGenerationConfig?.LambdaVersion ?? 'V1_0',
    }),
    ...(config.CustomMessage && { customMessage: config.CustomMessage }),
    ...(config.UserMigration && { userMigration: config.UserMigration }),
    ...(config.DefineAuthChallenge && { defineAuthChallenge: config.DefineAuthChallenge }),
    ...(config.CreateAuthChallenge && { createAuthChallenge: config.CreateAuthChallenge }),
    ...(config.VerifyAuthChallengeResponse && { verifyAuthChallengeResponse: config.VerifyAuthChallengeResponse }),
  };
}

export const RotateHookSecretBody = Type.Object(
  {
    overlapSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2_592_000,
        description:
          'How long the secrets live before keep signing, next to the new one (default 86400, a day; 0 retires them at once).',
      }),
    ),
  },
  { $id: 'RotateHookSecretRequest', additionalProperties: false },
);

export const HookSecretResponse = Type.Object(
  {
    secret: Type.String({
      description:
        'The new signing secret, `whsec_` and the base64 of 32 random bytes (Standard Webhooks). Shown only here, never again.',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    previousSecrets: Type.Array(
      Type.Object(
        {
          createdAt: Type.String({ format: 'date-time' }),
          retiresAt: Type.String({
            format: 'date-time',
            description: 'Until then, calls carry this secret’s signature too.',
          }),
        },
        { additionalProperties: false },
      ),
      { description: 'The secrets live before this rotation, and when each stops signing.' },
    ),
  },
  { $id: 'HookSecret', additionalProperties: false },
);
