/**
 * The REST face of the web sign-in's configuration (docs/web-sign-in.md): user-pool domains,
 * resource servers and their scopes, and the managed login pages' branding.
 */
import { Type } from 'typebox';
import type { UiCustomization } from '../modules/branding/branding.service.ts';
import type { PoolDomain } from '../modules/oauth/oauth.types.ts';
import type { ResourceServer } from '../modules/resource-servers/resource-servers.service.ts';
import { ref } from './common.ts';

const PoolId = Type.String({ maxLength: 64 });
const Timestamp = Type.String({ format: 'date-time' });

// ---- Domains -------------------------------------------------------------------------------------

export const DomainParams = Type.Object(
  { poolId: PoolId, domain: Type.String({ minLength: 1, maxLength: 253 }) },
  { additionalProperties: false },
);
const ManagedLoginVersion = Type.Integer({
  minimum: 1,
  maximum: 2,
  description:
    'Cognito’s ManagedLoginVersion: 1 (hosted UI, classic; the default) or 2 (managed login). Stored and shown.',
});
const CertificateArn = Type.String({
  minLength: 20,
  maxLength: 2048,
  description:
    'Cognito’s CustomDomainConfig.CertificateArn: kept and shown, never used (Cognate serves TLS itself or behind a proxy).',
});

export const CreateDomainBody = Type.Object(
  {
    domain: Type.String({
      minLength: 1,
      maxLength: 253,
      description:
        'A prefix (1 to 63 of a-z, 0-9 and -, without aws, amazon or cognito), or with certificateArn a custom fully-qualified host name. Requests whose Host is the domain go to this pool.',
    }),
    certificateArn: Type.Optional(CertificateArn),
    managedLoginVersion: Type.Optional(ManagedLoginVersion),
  },
  { $id: 'CreateDomainBody', additionalProperties: false, examples: [{ domain: 'shop-login' }] },
);

export const UpdateDomainBody = Type.Object(
  { certificateArn: Type.Optional(CertificateArn), managedLoginVersion: Type.Optional(ManagedLoginVersion) },
  { $id: 'UpdateDomainBody', additionalProperties: false, description: 'A member left out keeps its value.' },
);

export const DomainResponse = Type.Object(
  {
    domain: Type.String(),
    poolId: Type.String(),
    custom: Type.Boolean({ description: 'A custom domain (made with certificateArn), or a prefix.' }),
    certificateArn: Type.Union([Type.String(), Type.Null()]),
    managedLoginVersion: Type.Integer(),
    cloudFrontDomain: Type.Optional(
      Type.String({ description: 'A custom domain’s DNS target: Cognate’s own host (PUBLIC_URL).' }),
    ),
    createdAt: Timestamp,
  },
  { $id: 'PoolDomain', additionalProperties: false },
);

export const DomainList = Type.Object(
  { domains: Type.Array(ref(DomainResponse)) },
  { $id: 'PoolDomainList', additionalProperties: false },
);

export const presentDomain = (domain: PoolDomain, cloudFrontDomain: string | undefined) => ({
  domain: domain.domain,
  poolId: domain.poolId,
  custom: domain.custom,
  certificateArn: domain.certificateArn,
  managedLoginVersion: domain.managedLoginVersion,
  ...(cloudFrontDomain !== undefined && { cloudFrontDomain }),
  createdAt: domain.createdAt.toISOString(),
});

// ---- Resource servers ----------------------------------------------------------------------------

export const ResourceServerParams = Type.Object(
  {
    poolId: PoolId,
    identifier: Type.String({
      minLength: 1,
      maxLength: 256,
      description: 'The identifier, URL-encoded in the path (an identifier may be a URL).',
    }),
  },
  { additionalProperties: false },
);

export const ResourceServerScope = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 256,
      pattern: '^[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+$',
      description: 'Granted as `<identifier>/<name>`: printable, without spaces, ", / or \\.',
    }),
    description: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { $id: 'ResourceServerScope', additionalProperties: false },
);

const ServerName = Type.String({ minLength: 1, maxLength: 256, pattern: '^[\\w\\s+=,.@-]+$' });
const Scopes = Type.Array(ref(ResourceServerScope), { maxItems: 100 });

export const CreateResourceServerBody = Type.Object(
  {
    identifier: Type.String({
      minLength: 1,
      maxLength: 256,
      pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$',
      description: 'A name or a URL, unique in the pool (at most 25 servers a pool).',
    }),
    name: ServerName,
    scopes: Type.Optional(Scopes),
  },
  {
    $id: 'CreateResourceServerBody',
    additionalProperties: false,
    examples: [{ identifier: 'orders', name: 'Orders API', scopes: [{ name: 'read', description: 'Read orders' }] }],
  },
);

export const ReplaceResourceServerBody = Type.Object(
  { name: ServerName, scopes: Type.Optional(Scopes) },
  {
    $id: 'ReplaceResourceServerBody',
    additionalProperties: false,
    description:
      'Replaces the name and the whole list of scopes (Cognito’s UpdateResourceServer): a scope left out leaves every client.',
  },
);

export const ResourceServerResponse = Type.Object(
  {
    poolId: Type.String(),
    identifier: Type.String(),
    name: Type.String(),
    scopes: Type.Array(ref(ResourceServerScope)),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'ResourceServer', additionalProperties: false },
);

export const ResourceServerList = Type.Object(
  { resourceServers: Type.Array(ref(ResourceServerResponse)), nextToken: Type.Optional(Type.String()) },
  { $id: 'ResourceServerList', additionalProperties: false },
);

export const ResourceServerPageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'At most 50 (the default).' })),
    nextToken: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);

export const presentResourceServer = (server: ResourceServer) => ({
  poolId: server.poolId,
  identifier: server.identifier,
  name: server.name,
  scopes: server.scopes,
  createdAt: server.createdAt.toISOString(),
  updatedAt: server.updatedAt.toISOString(),
});

// ---- Branding ------------------------------------------------------------------------------------

export const BrandingParams = Type.Object(
  { poolId: PoolId, clientId: Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\w+]+$' }) },
  { additionalProperties: false },
);

export const SetUiCustomizationBody = Type.Object(
  {
    css: Type.Optional(
      Type.String({
        maxLength: 32 * 1024,
        description:
          'Rules for Cognito’s hosted UI classes (.logo-customizable, .submitButton-customizable, …) with the properties Cognito lists for each; anything else is refused, naming it.',
      }),
    ),
    imageBase64: Type.Optional(
      Type.String({
        maxLength: 140_000,
        description: 'The logo, base64-encoded: PNG, JPEG or self-contained SVG, at most 100 KB.',
      }),
    ),
  },
  {
    $id: 'SetUiCustomizationBody',
    additionalProperties: false,
    description: 'CSS and logo are set together, as in Cognito: a member left out is removed.',
    examples: [{ css: '.submitButton-customizable { background-color: #0a5; }' }],
  },
);

export const UiCustomizationResponse = Type.Object(
  {
    poolId: Type.String(),
    clientId: Type.String({ description: 'The client, or ALL: whose customization this is.' }),
    css: Type.Union([Type.String(), Type.Null()]),
    imageUrl: Type.Union([Type.String(), Type.Null()], { description: 'Where Cognate serves the logo.' }),
    cssVersion: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.Union([Timestamp, Type.Null()]),
    updatedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'UiCustomization', additionalProperties: false },
);

/** Nothing set: the client (or ALL) with every member null. */
export const presentUiCustomization = (poolId: string, clientId: string, shown: UiCustomization | null) =>
  shown
    ? {
        poolId: shown.poolId,
        clientId: shown.clientId,
        css: shown.css,
        imageUrl: shown.imageUrl,
        cssVersion: shown.version,
        createdAt: shown.createdAt.toISOString(),
        updatedAt: shown.updatedAt.toISOString(),
      }
    : { poolId, clientId, css: null, imageUrl: null, cssVersion: null, createdAt: null, updatedAt: null };
