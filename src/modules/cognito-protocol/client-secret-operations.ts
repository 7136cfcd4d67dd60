/**
 * Confidential app clients on Cognito's face (docs/client-secrets.md): the rotation actions
 * (AddUserPoolClientSecret, ListUserPoolClientSecrets, DeleteUserPoolClientSecret), and where
 * each action that names a client carries its proof of the client's secret.
 */
import { Type, type TSchema } from 'typebox';
import { invalidParameter } from '../../errors/cognito-error.ts';
import type { ClientProof } from '../pools/client-secrets.ts';
import { ClientId, UserPoolId } from './operation-inputs.ts';
import { adminOperation, type Operation, type OperationContext } from './operation.ts';
import { epochSeconds } from './wire-shapes.ts';

const object = <P extends Record<string, TSchema>>(properties: P) =>
  Type.Object(properties, { additionalProperties: true });
const s = (min: number, max: number, pattern?: string) =>
  Type.String({ minLength: min, maxLength: max, ...(pattern && { pattern: `^${pattern}$` }) });

const AddUserPoolClientSecret = object({ UserPoolId, ClientId, ClientSecret: Type.Optional(s(24, 64, '[\\w+]+')) });
const ListUserPoolClientSecrets = object({ UserPoolId, ClientId, NextToken: Type.Optional(s(1, 1024)) });
const DeleteUserPoolClientSecret = object({ UserPoolId, ClientId, ClientSecretId: s(1, 128) });

export const clientSecretOperations: Record<string, Operation> = {
  /** A second live secret for rotation; its value is returned only when Cognate generated it, as in Cognito. */
  AddUserPoolClientSecret: adminOperation(AddUserPoolClientSecret, async (input, { services }) => {
    await services.pools.getPool(input.UserPoolId);
    const secret = await services.pools.clientSecrets.add(input.UserPoolId, input.ClientId, input.ClientSecret);
    return {
      ClientSecretDescriptor: {
        ClientSecretId: secret.id,
        ...(secret.generated && { ClientSecretValue: secret.value }),
        ClientSecretCreateDate: epochSeconds(secret.createdAt),
      },
    };
  }),

  /** Ids and dates, never values; every secret in one answer (there are at most two), so no NextToken. */
  ListUserPoolClientSecrets: adminOperation(ListUserPoolClientSecrets, async (input, { services }) => {
    if (input.NextToken !== undefined)
      throw invalidParameter('NextToken: this list is never paged; Cognate handed out no NextToken.');
    await services.pools.getPool(input.UserPoolId);
    const secrets = await services.pools.clientSecrets.list(input.UserPoolId, input.ClientId);
    return {
      ClientSecrets: secrets.map((secret) => ({
        ClientSecretId: secret.id,
        ClientSecretCreateDate: epochSeconds(secret.createdAt),
      })),
    };
  }),

  /** Any but the last secret; SECRET_HASH made with it is refused from then on. */
  DeleteUserPoolClientSecret: adminOperation(DeleteUserPoolClientSecret, async (input, { services }) => {
    await services.pools.getPool(input.UserPoolId);
    await services.pools.clientSecrets.delete(input.UserPoolId, input.ClientId, input.ClientSecretId);
    return {};
  }),
};

// ---- Each action's proof of its client's secret (docs/client-secrets.md, "Which calls check it") ----

type Input = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
const entry = (input: Input, map: string, key: string) => {
  const members = input[map];
  return typeof members === 'object' && members !== null ? text((members as Input)[key]) : undefined;
};

interface ProofRule {
  proof: (input: Input) => ClientProof;
  /**
   * Whether the client is read (and the proof checked) before the action starts, so that a wrong
   * proof changes nothing: no code sent, no session used up, no attempt counted. The refresh
   * paths check theirs once the token's user is known (its names are what SECRET_HASH is over).
   */
  first: (input: Input) => boolean;
}

const memberHash = (member: string): ProofRule => ({
  proof: (input) => ({
    kind: 'secret-hash',
    secretHash: text(input.SecretHash),
    username: text(input.Username),
    member,
  }),
  first: () => true,
});
const REFRESH_FLOWS = ['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN'];
const authParameters: ProofRule = {
  proof: (input) => ({
    kind: 'secret-hash',
    secretHash: entry(input, 'AuthParameters', 'SECRET_HASH'),
    // Refresh: over the token's user's username or sub, as Cognito has it.
    username: REFRESH_FLOWS.includes(String(input.AuthFlow))
      ? undefined
      : (entry(input, 'AuthParameters', 'USERNAME') ?? ''),
    member: 'AuthParameters.SECRET_HASH',
  }),
  first: (input) => !REFRESH_FLOWS.includes(String(input.AuthFlow)),
};
const challengeResponses: ProofRule = {
  proof: (input) => ({
    kind: 'secret-hash',
    secretHash: entry(input, 'ChallengeResponses', 'SECRET_HASH'),
    username: entry(input, 'ChallengeResponses', 'USERNAME') ?? '',
    member: 'ChallengeResponses.SECRET_HASH',
  }),
  first: () => true,
};
const clientSecret = (first: boolean): ProofRule => ({
  proof: (input) => ({ kind: 'client-secret', clientSecret: text(input.ClientSecret), member: 'ClientSecret' }),
  first: () => first,
});

const PROOFS: Record<string, ProofRule> = {
  SignUp: memberHash('SecretHash'),
  ConfirmSignUp: memberHash('SecretHash'),
  ResendConfirmationCode: memberHash('SecretHash'),
  ForgotPassword: memberHash('SecretHash'),
  ConfirmForgotPassword: memberHash('SecretHash'),
  InitiateAuth: authParameters,
  AdminInitiateAuth: authParameters,
  RespondToAuthChallenge: challengeResponses,
  AdminRespondToAuthChallenge: challengeResponses,
  GetTokensFromRefreshToken: clientSecret(false),
  RevokeToken: clientSecret(true),
};

const CLIENT_ID = /^[\w+]{1,128}$/;

/**
 * Runs one Cognito action with the proof of its client's secret that it carries: checked wherever
 * the action reads its client, and, for an action that names one, before the action starts.
 */
export async function withClientProof<T>(
  services: OperationContext['services'],
  action: string,
  input: Input,
  run: () => Promise<T>,
): Promise<T> {
  const rule = Object.hasOwn(PROOFS, action) ? PROOFS[action] : undefined;
  return services.pools.clientSecrets.withProof(rule?.proof(input), async () => {
    const clientId = text(input.ClientId);
    if (rule?.first(input) && clientId !== undefined && CLIENT_ID.test(clientId)) {
      await services.pools.clientWithPool(clientId);
    }
    return run();
  });
}
