/**
 * A pool's identity providers on Cognito's wire (docs/federation.md, "Configuring providers"):
 * CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider,
 * DeleteIdentityProvider, ListIdentityProviders, GetIdentityProviderByIdentifier.
 */
import { Type } from 'typebox';
import type { IdentityProvider } from '../federation/federation.types.ts';
import { UserPoolId } from './operation-inputs.ts';
import { adminOperation, type Operation } from './operation.ts';
import { epochSeconds } from './wire-shapes.ts';

const object = <P extends Parameters<typeof Type.Object>[0]>(properties: P) =>
  Type.Object(properties, { additionalProperties: true });
const s = (min: number, max: number, pattern?: string) =>
  Type.String({ minLength: min, maxLength: max, ...(pattern && { pattern: `^${pattern}$` }) });

/** Cognito's ProviderNameType (the service checks a new name's stricter rules). */
const ProviderName = s(1, 32, '[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\p{Z}]+');
const ProviderType = s(1, 32);
const StringMap = Type.Record(Type.String(), Type.String());
const AttributeMapping = Type.Record(Type.String({ minLength: 1, maxLength: 32 }), Type.String({ maxLength: 131072 }));
const IdpIdentifiers = Type.Array(s(1, 40), { maxItems: 50 });

const CreateIdentityProvider = object({
  UserPoolId,
  ProviderName,
  ProviderType,
  ProviderDetails: StringMap,
  AttributeMapping: Type.Optional(AttributeMapping),
  IdpIdentifiers: Type.Optional(IdpIdentifiers),
});
const UpdateIdentityProvider = object({
  UserPoolId,
  ProviderName,
  ProviderDetails: Type.Optional(StringMap),
  AttributeMapping: Type.Optional(AttributeMapping),
  IdpIdentifiers: Type.Optional(IdpIdentifiers),
});
const OneProvider = object({ UserPoolId, ProviderName });
const ListIdentityProviders = object({
  UserPoolId,
  MaxResults: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
  NextToken: Type.Optional(s(1, 131072, '[\\S]+')),
});
const GetIdentityProviderByIdentifier = object({ UserPoolId, IdpIdentifier: s(1, 40) });

/** Cognito's IdentityProviderType: dates in epoch seconds. */
export const toIdentityProviderType = (provider: IdentityProvider) => ({
  UserPoolId: provider.poolId,
  ProviderName: provider.providerName,
  ProviderType: provider.providerType,
  ProviderDetails: provider.details,
  AttributeMapping: provider.attributeMapping,
  IdpIdentifiers: provider.idpIdentifiers,
  LastModifiedDate: epochSeconds(provider.updatedAt),
  CreationDate: epochSeconds(provider.createdAt),
});

export const identityProviderOperations: Record<string, Operation> = {
  CreateIdentityProvider: adminOperation(CreateIdentityProvider, async (input, { services }) => ({
    IdentityProvider: toIdentityProviderType(
      await services.identityProviders.create(input.UserPoolId, {
        providerName: input.ProviderName,
        providerType: input.ProviderType,
        providerDetails: input.ProviderDetails,
        ...(input.AttributeMapping !== undefined && { attributeMapping: input.AttributeMapping }),
        ...(input.IdpIdentifiers !== undefined && { idpIdentifiers: input.IdpIdentifiers }),
      }),
    ),
  })),

  DescribeIdentityProvider: adminOperation(OneProvider, async (input, { services }) => ({
    IdentityProvider: toIdentityProviderType(
      await services.identityProviders.describe(input.UserPoolId, input.ProviderName),
    ),
  })),

  /** Each member given replaces its whole value; one left out keeps it. */
  UpdateIdentityProvider: adminOperation(UpdateIdentityProvider, async (input, { services }) => ({
    IdentityProvider: toIdentityProviderType(
      await services.identityProviders.update(input.UserPoolId, input.ProviderName, {
        ...(input.ProviderDetails !== undefined && { providerDetails: input.ProviderDetails }),
        ...(input.AttributeMapping !== undefined && { attributeMapping: input.AttributeMapping }),
        ...(input.IdpIdentifiers !== undefined && { idpIdentifiers: input.IdpIdentifiers }),
      }),
    ),
  })),

  DeleteIdentityProvider: adminOperation(OneProvider, async (input, { services }) => {
    await services.identityProviders.delete(input.UserPoolId, input.ProviderName);
    return {};
  }),

  ListIdentityProviders: adminOperation(ListIdentityProviders, async (input, { services }) => {
    const result = await services.identityProviders.list(input.UserPoolId, {
      ...(input.MaxResults !== undefined && { limit: input.MaxResults }),
      ...(input.NextToken !== undefined && { nextToken: input.NextToken }),
    });
    return {
      Providers: result.providers.map((provider) => ({
        ProviderName: provider.providerName,
        ProviderType: provider.providerType,
        LastModifiedDate: epochSeconds(provider.updatedAt),
        CreationDate: epochSeconds(provider.createdAt),
      })),
      ...(result.nextToken && { NextToken: result.nextToken }),
    };
  }),

  GetIdentityProviderByIdentifier: adminOperation(GetIdentityProviderByIdentifier, async (input, { services }) => ({
    IdentityProvider: toIdentityProviderType(
      await services.identityProviders.byIdentifier(input.UserPoolId, input.IdpIdentifier),
    ),
  })),
};
