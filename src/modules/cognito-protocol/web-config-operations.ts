/**
 * The web face's configuration on Cognito's wire (docs/web-sign-in.md): user-pool domains
 * (CreateUserPoolDomain and the rest), resource servers and their custom scopes, and the UI
 * customization of the managed login pages (SetUICustomization, GetUICustomization).
 */
import { Type } from 'typebox';
import { invalidParameter } from '../../errors/cognito-error.ts';
import { ALL_CLIENTS, type UiCustomization } from '../branding/branding.service.ts';
import type { PoolDomain } from '../oauth/oauth.types.ts';
import type { ResourceServer } from '../resource-servers/resource-servers.service.ts';
import { ClientId, UserPoolId } from './operation-inputs.ts';
import { adminOperation, type Operation, type ProtocolServices } from './operation.ts';
import { epochSeconds } from './wire-shapes.ts';

const object = <P extends Parameters<typeof Type.Object>[0]>(properties: P) =>
  Type.Object(properties, { additionalProperties: true });
const closed = <P extends Parameters<typeof Type.Object>[0]>(properties: P) =>
  Type.Object(properties, { additionalProperties: false });
const s = (min: number, max: number, pattern?: string) =>
  Type.String({ minLength: min, maxLength: max, ...(pattern && { pattern: `^${pattern}$` }) });

/** A prefix or a custom domain's full name: pool-domains.service.ts checks each by its kind. */
const AnyDomain = s(1, 253);
const CustomDomainConfig = Type.Optional(closed({ CertificateArn: s(20, 2048) }));
const ManagedLoginVersion = Type.Optional(Type.Integer());
const CreateUserPoolDomain = object({ Domain: AnyDomain, UserPoolId, ManagedLoginVersion, CustomDomainConfig });
const DescribeUserPoolDomain = object({ Domain: AnyDomain });
const DeleteUserPoolDomain = object({ Domain: AnyDomain, UserPoolId });

const ResourceServerScopes = Type.Optional(
  Type.Array(closed({ ScopeName: s(1, 256), ScopeDescription: s(1, 256) }), { maxItems: 100 }),
);
const Identifier = s(1, 256);
const ResourceServerInput = object({ UserPoolId, Identifier, Name: s(1, 256), Scopes: ResourceServerScopes });
const OneResourceServer = object({ UserPoolId, Identifier });
const ListResourceServers = object({
  UserPoolId,
  MaxResults: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
  NextToken: Type.Optional(s(1, 1024)),
});

/** The ImageFile blob travels base64-encoded in the JSON body. */
const SetUICustomization = object({
  UserPoolId,
  ClientId: Type.Optional(ClientId),
  CSS: Type.Optional(Type.String({ maxLength: 131072 })),
  ImageFile: Type.Optional(Type.String({ maxLength: 200_000 })),
});
const GetUICustomization = object({ UserPoolId, ClientId: Type.Optional(ClientId) });

/** Cognito's DomainDescriptionType; the account id is Cognate's fixed one (as in pool ARNs). */
function toDomainDescription(domain: PoolDomain, services: ProtocolServices) {
  const cloudFront = services.poolDomains.cloudFrontDomain(domain);
  return {
    UserPoolId: domain.poolId,
    AWSAccountId: '000000000000',
    Domain: domain.domain,
    ...(cloudFront !== undefined && { CloudFrontDistribution: cloudFront }),
    Version: String(domain.createdAt.getTime()),
    Status: 'ACTIVE',
    ...(domain.certificateArn !== null && { CustomDomainConfig: { CertificateArn: domain.certificateArn } }),
    ManagedLoginVersion: domain.managedLoginVersion,
  };
}

/** Cognito's ResourceServerType. */
export const toResourceServerType = (server: ResourceServer) => ({
  UserPoolId: server.poolId,
  Identifier: server.identifier,
  Name: server.name,
  Scopes: server.scopes.map((scope) => ({ ScopeName: scope.name, ScopeDescription: scope.description })),
});

/** Cognito's UICustomizationType: members without a value left out, dates in epoch seconds. */
function toUICustomizationType(poolId: string, clientId: string, shown: UiCustomization | null) {
  if (!shown) return { UserPoolId: poolId, ClientId: clientId };
  return {
    UserPoolId: shown.poolId,
    ClientId: shown.clientId,
    ...(shown.imageUrl !== null && { ImageUrl: shown.imageUrl }),
    ...(shown.css !== null && { CSS: shown.css }),
    CSSVersion: shown.version,
    LastModifiedDate: epochSeconds(shown.updatedAt),
    CreationDate: epochSeconds(shown.createdAt),
  };
}

/** Strict base64: Cognito's blob encoding; anything else is refused rather than half read. */
function imageBytes(base64: string): Uint8Array {
  if (base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64))
    throw invalidParameter('ImageFile must be the image’s bytes, base64-encoded.');
  return Buffer.from(base64, 'base64');
}

export const webConfigOperations: Record<string, Operation> = {
  CreateUserPoolDomain: adminOperation(CreateUserPoolDomain, async (input, { services }) => {
    const domain = await services.poolDomains.create(input.UserPoolId, {
      domain: input.Domain,
      ...(input.CustomDomainConfig && { certificateArn: input.CustomDomainConfig.CertificateArn }),
      ...(input.ManagedLoginVersion !== undefined && { managedLoginVersion: input.ManagedLoginVersion }),
    });
    const cloudFront = services.poolDomains.cloudFrontDomain(domain);
    return {
      ...(cloudFront !== undefined && { CloudFrontDomain: cloudFront }),
      ManagedLoginVersion: domain.managedLoginVersion,
    };
  }),

  /** An unknown domain is an empty description, as Cognito answers (Terraform reads it so). */
  DescribeUserPoolDomain: adminOperation(DescribeUserPoolDomain, async (input, { services }) => {
    const domain = await services.poolDomains.describe(input.Domain);
    return { DomainDescription: domain ? toDomainDescription(domain, services) : {} };
  }),

  UpdateUserPoolDomain: adminOperation(CreateUserPoolDomain, async (input, { services }) => {
    const domain = await services.poolDomains.update(input.UserPoolId, input.Domain, {
      ...(input.CustomDomainConfig && { certificateArn: input.CustomDomainConfig.CertificateArn }),
      ...(input.ManagedLoginVersion !== undefined && { managedLoginVersion: input.ManagedLoginVersion }),
    });
    const cloudFront = services.poolDomains.cloudFrontDomain(domain);
    return {
      ...(cloudFront !== undefined && { CloudFrontDomain: cloudFront }),
      ManagedLoginVersion: domain.managedLoginVersion,
    };
  }),

  DeleteUserPoolDomain: adminOperation(DeleteUserPoolDomain, async (input, { services }) => {
    await services.poolDomains.delete(input.UserPoolId, input.Domain);
    return {};
  }),

  CreateResourceServer: adminOperation(ResourceServerInput, async (input, { services }) => ({
    ResourceServer: toResourceServerType(
      await services.resourceServers.create(input.UserPoolId, {
        identifier: input.Identifier,
        name: input.Name,
        scopes: (input.Scopes ?? []).map((scope) => ({ name: scope.ScopeName, description: scope.ScopeDescription })),
      }),
    ),
  })),

  DescribeResourceServer: adminOperation(OneResourceServer, async (input, { services }) => ({
    ResourceServer: toResourceServerType(await services.resourceServers.describe(input.UserPoolId, input.Identifier)),
  })),

  /** Replaces the name and the scopes as a whole; a scope left out leaves every client (docs/web-sign-in.md). */
  UpdateResourceServer: adminOperation(ResourceServerInput, async (input, { services }) => ({
    ResourceServer: toResourceServerType(
      await services.resourceServers.update(input.UserPoolId, {
        identifier: input.Identifier,
        name: input.Name,
        scopes: (input.Scopes ?? []).map((scope) => ({ name: scope.ScopeName, description: scope.ScopeDescription })),
      }),
    ),
  })),

  DeleteResourceServer: adminOperation(OneResourceServer, async (input, { services }) => {
    await services.resourceServers.delete(input.UserPoolId, input.Identifier);
    return {};
  }),

  ListResourceServers: adminOperation(ListResourceServers, async (input, { services }) => {
    const result = await services.resourceServers.list(input.UserPoolId, {
      ...(input.MaxResults !== undefined && { limit: input.MaxResults }),
      ...(input.NextToken !== undefined && { nextToken: input.NextToken }),
    });
    return {
      ResourceServers: result.servers.map(toResourceServerType),
      ...(result.nextToken && { NextToken: result.nextToken }),
    };
  }),

  /** CSS and logo are set together, as in Cognito: a member left out is removed. ClientId left out: ALL. */
  SetUICustomization: adminOperation(SetUICustomization, async (input, { services }) => {
    const clientId = input.ClientId ?? ALL_CLIENTS;
    const shown = await services.branding.set(input.UserPoolId, clientId, {
      ...(input.CSS !== undefined && { css: input.CSS }),
      ...(input.ImageFile !== undefined && { image: imageBytes(input.ImageFile) }),
    });
    return { UICustomization: toUICustomizationType(input.UserPoolId, clientId, shown) };
  }),

  /** The customization in effect for the client: its own, else the pool's (ClientId ALL). */
  GetUICustomization: adminOperation(GetUICustomization, async (input, { services }) => {
    const clientId = input.ClientId ?? ALL_CLIENTS;
    const shown = await services.branding.get(input.UserPoolId, clientId);
    return { UICustomization: toUICustomizationType(input.UserPoolId, clientId, shown) };
  }),
};
