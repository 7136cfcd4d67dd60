import type { Static, TSchema } from 'typebox';
import type { AccountService } from '../account/account.service.ts';
import type { AdminUsersService } from '../admin-users/admin-users.service.ts';
import type { AdminPasswordsService } from '../admin-users/admin-passwords.ts';
import type { SigV4Verifier } from '../aws-auth/index.ts';
import type { GroupsService } from '../groups/groups.service.ts';
import type { ImportJobsService } from '../import-jobs/import-jobs.service.ts';
import type { PoolsService } from '../pools/pools.service.ts';
import type { PoolDomainsService } from '../pool-domains/pool-domains.service.ts';
import type { ResourceServersService } from '../resource-servers/resource-servers.service.ts';
import type { BrandingService } from '../branding/branding.service.ts';
import type { RecoveryService } from '../recovery/recovery.service.ts';
import type { RegistrationService } from '../registration/registration.service.ts';
import type { SignInService } from '../sign-in/sign-in.service.ts';
import type { CustomAuthService } from '../sign-in/custom-auth.ts';
import type { DevicesService } from '../devices/devices.service.ts';
import type { MfaService } from '../mfa/mfa.service.ts';
import type { ChoiceAuthService } from '../sign-in/choice-auth.ts';
import type { SessionsService } from '../tokens/sessions.service.ts';
import type { UserSearchService } from '../user-store/user-search.ts';
import type { ProviderLinksService } from '../federation/provider-links.service.ts';
import type { IdentityProvidersService } from '../federation/identity-providers.service.ts';
import { inputChecker } from './input-validation.ts';

/** The services the Cognito face calls; the composition root (src/services.ts) provides them. */
export interface ProtocolServices {
  pools: PoolsService;
  sessions: SessionsService;
  registration: RegistrationService;
  signIn: SignInService;
  customAuth: CustomAuthService;
  /** Remembered devices (docs/devices.md). */
  devices: DevicesService;
  /** USER_AUTH: choice-based and passwordless sign-in (docs/passwordless.md). */
  choiceAuth: ChoiceAuthService;
  /** MFA: the pool's setting, users' factors, TOTP, the second-factor challenges (docs/mfa.md). */
  mfa: MfaService;
  recovery: RecoveryService;
  account: AccountService;
  adminUsers: AdminUsersService;
  /** AdminSetUserPassword, AdminResetUserPassword (docs/admin-auth.md). */
  adminPasswords: AdminPasswordsService;
  userSearch: UserSearchService;
  groups: GroupsService;
  /** Cognito's user import jobs (docs/user-import.md, "Import jobs"). */
  importJobs: ImportJobsService;
  /** Checks the SigV4 signature of admin calls. */
  awsSignatures: SigV4Verifier;
  /** User-pool domains, resource servers, UI customization (docs/web-sign-in.md). */
  poolDomains: PoolDomainsService;
  resourceServers: ResourceServersService;
  branding: BrandingService;
  /** CreateIdentityProvider and kin (docs/federation.md, "Configuring providers"). */
  identityProviders: IdentityProvidersService;
  /** AdminLinkProviderForUser, AdminDisableProviderForUser (docs/federation.md). */
  providerLinks: ProviderLinksService;
}

export interface OperationContext {
  services: ProtocolServices;
  /** The region of a signed admin call's credential scope (new pools are named after it). */
  region?: string;
  /** The caller's address: sign-in lockouts are kept per user and source. */
  source: string;
}

/**
 * One Cognito action: whether it needs a SigV4 signature (IAM-authorised admin actions) or not
 * (user actions, authorised by a client id or an access token), its input, and its work.
 */
export interface Operation {
  signed: boolean;
  /** The request's schema (the fuzz and the docs read it from here). */
  input: TSchema;
  run(input: unknown, context: OperationContext): Promise<object>;
}

export function operation<S extends TSchema>(
  signed: boolean,
  schema: S,
  run: (input: Static<S>, context: OperationContext) => Promise<object>,
): Operation {
  const check = inputChecker(schema);
  return { signed, input: schema, run: (input, context) => run(check(input), context) };
}

/** User actions: no signature; the client id or the access token says who calls. */
export const userOperation = <S extends TSchema>(
  schema: S,
  run: (input: Static<S>, context: OperationContext) => Promise<object>,
) => operation(false, schema, run);

/** Admin actions: SigV4-signed with Cognate's configured key, as IAM authorises them in AWS. */
export const adminOperation = <S extends TSchema>(
  schema: S,
  run: (input: Static<S>, context: OperationContext) => Promise<object>,
) => operation(true, schema, run);
