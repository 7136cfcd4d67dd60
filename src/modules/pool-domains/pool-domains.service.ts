/**
 * Cognito's user-pool domains (CreateUserPoolDomain and the rest): a prefix domain and a custom
 * domain per pool, and the pool a request's Host names (docs/web-sign-in.md, "Domains").
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { poolDomains } from '../../db/schema/pool-domains.ts';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import type { PoolDomain } from '../oauth/oauth.types.ts';

/** Cognito's Domain pattern for a prefix (API reference, CreateUserPoolDomain): one DNS label. */
export const PREFIX_DOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A custom domain: a fully-qualified name of such labels, at least two of them. */
const CUSTOM_DOMAIN_PATTERN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** Words Cognito keeps out of prefixes. */
const RESERVED_WORDS = ['aws', 'amazon', 'cognito'];
/** A prefix as Cognito spells its full host name: `<prefix>.auth.<region>.amazoncognito.com`. */
const COGNITO_PREFIX_HOST = /^([a-z0-9-]+)\.auth(?:-fips)?\.[a-z0-9-]+\.amazoncognito\.com$/;
/** An ACM certificate ARN, kept as given (AWS plumbing: Cognate never reads it). */
const CERTIFICATE_ARN = /^arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]*:certificate\/[\w+=/,.@-]+$/;

export interface DomainInput {
  domain: string;
  /** CustomDomainConfig.CertificateArn: given, the domain is a custom domain. */
  certificateArn?: string;
  /** ManagedLoginVersion: 1 (classic hosted UI, the default) or 2. */
  managedLoginVersion?: number;
}

const noSuchDomain = () => new CognitoError('ResourceNotFoundException', 'No such domain or user pool exists.');

function checkVersion(version: number | undefined): void {
  if (version !== undefined && version !== 1 && version !== 2)
    throw invalidParameter('ManagedLoginVersion must be 1 (hosted UI, classic) or 2 (managed login).');
}

function checkCertificateArn(arn: string): void {
  if (arn.length < 20 || arn.length > 2048 || !CERTIFICATE_ARN.test(arn))
    throw invalidParameter(
      'CustomDomainConfig.CertificateArn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>).',
    );
}

/** Checks a domain for its kind; answers the stored, lower-case form. */
export function checkDomain(domain: string, custom: boolean): string {
  if (custom) {
    if (domain !== domain.toLowerCase() || !CUSTOM_DOMAIN_PATTERN.test(domain))
      throw invalidParameter(
        `Invalid custom domain ${JSON.stringify(domain)}: expected a fully-qualified lower-case host name such as auth.example.com.`,
      );
    return domain;
  }
  if (!PREFIX_DOMAIN_PATTERN.test(domain))
    throw invalidParameter(
      `Invalid domain prefix ${JSON.stringify(domain)}: 1 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen.`,
    );
  const reserved = RESERVED_WORDS.find((word) => domain.includes(word));
  if (reserved) throw invalidParameter(`Domain cannot contain reserved word: ${reserved}`);
  return domain;
}

/**
 * The host name a Host header carries, as domains are stored: lower case, without the port or a
 * final dot. `[::1]:8080` → `[::1]`.
 */
export function hostName(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    name = end === -1 ? name : name.slice(0, end + 1);
  } else {
    const colon = name.indexOf(':');
    if (colon !== -1) name = name.slice(0, colon);
  }
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

export function createPoolDomains(deps: {
  db: Db;
  /** Throws ResourceNotFoundException for an unknown pool (the pools service's getPool). */
  assertPool: (poolId: string) => Promise<unknown>;
  /** Cognate's own host: what a custom domain's DNS points at (CloudFrontDomain in Cognito). */
  publicHost: string;
  cacheMs?: number;
}) {
  const { db } = deps;
  const ttlMs = deps.cacheMs ?? 30_000;
  // Every domain of every pool, read at most once per ttlMs, dropped when this process changes one;
  // another instance's change is seen within ttlMs (as the CORS allow-list, pools/allowed-origins.ts).
  let cached: { hosts: Map<string, { poolId: string; custom: boolean }>; until: number } | undefined;
  let loading: Promise<Map<string, { poolId: string; custom: boolean }>> | undefined;
  let generation = 0;

  async function load() {
    const rows = await db
      .select({ domain: poolDomains.domain, poolId: poolDomains.poolId, custom: poolDomains.custom })
      .from(poolDomains);
    return new Map(rows.map((row) => [row.domain, { poolId: row.poolId, custom: row.custom }]));
  }

  async function hosts() {
    if (cached && cached.until > Date.now()) return cached.hosts;
    const started = generation;
    loading ??= load().finally(() => (loading = undefined));
    const map = await loading;
    if (started === generation) cached = { hosts: map, until: Date.now() + ttlMs };
    return map;
  }

  function invalidate(): void {
    generation += 1;
    cached = undefined;
    loading = undefined;
  }

  async function find(domain: string): Promise<PoolDomain | undefined> {
    const [row] = await db.select().from(poolDomains).where(eq(poolDomains.domain, domain));
    return row;
  }

  return {
    /**
     * The pool whose domain a request's Host names, or null. A custom domain matches exactly; a
     * prefix `x` matches the Host `x` and Cognito's own spelling `x.auth.<region>.amazoncognito.com`
     * (docs/web-sign-in.md, "Domains").
     */
    async poolOfHost(host: string): Promise<string | null> {
      const name = hostName(host);
      if (name === '') return null;
      const map = await hosts();
      const exact = map.get(name);
      if (exact) return exact.poolId;
      const prefix = COGNITO_PREFIX_HOST.exec(name)?.[1];
      const byPrefix = prefix === undefined ? undefined : map.get(prefix);
      return byPrefix && !byPrefix.custom ? byPrefix.poolId : null;
    },

    /** Where a custom domain's DNS should point: Cognate's public host. */
    cloudFrontDomain: (domain: PoolDomain): string | undefined => (domain.custom ? deps.publicHost : undefined),

    async create(poolId: string, input: DomainInput): Promise<PoolDomain> {
      const custom = input.certificateArn !== undefined;
      const domain = checkDomain(input.domain, custom);
      if (custom) checkCertificateArn(input.certificateArn!);
      checkVersion(input.managedLoginVersion);
      // Cognate's own host names no pool: at PUBLIC_URL the client id does (docs/web-sign-in.md, "Endpoints").
      if (domain === hostName(deps.publicHost))
        throw invalidParameter(`Domain ${domain} is Cognate's own host (PUBLIC_URL): it cannot belong to one pool.`);
      await deps.assertPool(poolId);
      const taken = await find(domain);
      if (taken)
        throw invalidParameter(
          taken.poolId === poolId
            ? 'Domain already exists for this user pool.'
            : 'Domain already associated with another user pool.',
        );
      try {
        const [row] = await db
          .insert(poolDomains)
          .values({
            domain,
            poolId,
            custom,
            certificateArn: input.certificateArn ?? null,
            managedLoginVersion: input.managedLoginVersion ?? 1,
          })
          .returning();
        return row!;
      } catch (error) {
        const constraint = uniqueViolation(error);
        if (constraint === 'pool_domains_pool_kind_key')
          throw invalidParameter(
            custom
              ? 'The user pool already has a custom domain; delete it first.'
              : 'The user pool already has a domain prefix; delete it first.',
          );
        if (constraint === 'pool_domains_pkey')
          throw invalidParameter('Domain already associated with another user pool.');
        throw error;
      } finally {
        invalidate();
      }
    },

    /** DescribeUserPoolDomain: the domain as stored, or null (Cognito answers an empty description). */
    async describe(domain: string): Promise<PoolDomain | null> {
      return (await find(domain.toLowerCase())) ?? null;
    },

    /** A pool's domains: the prefix first, then the custom domain. */
    async listForPool(poolId: string): Promise<PoolDomain[]> {
      return db.select().from(poolDomains).where(eq(poolDomains.poolId, poolId)).orderBy(asc(poolDomains.custom));
    },

    /**
     * UpdateUserPoolDomain: the managed login version, and a custom domain's certificate. A prefix
     * domain has no certificate to change.
     */
    async update(
      poolId: string,
      domain: string,
      patch: { certificateArn?: string; managedLoginVersion?: number },
    ): Promise<PoolDomain> {
      checkVersion(patch.managedLoginVersion);
      if (patch.certificateArn !== undefined) checkCertificateArn(patch.certificateArn);
      await deps.assertPool(poolId);
      const current = await find(domain.toLowerCase());
      if (!current || current.poolId !== poolId) throw noSuchDomain();
      if (patch.certificateArn !== undefined && !current.custom)
        throw invalidParameter('CustomDomainConfig is only for a custom domain; this is a domain prefix.');
      const [row] = await db
        .update(poolDomains)
        .set({
          ...(patch.certificateArn !== undefined && { certificateArn: patch.certificateArn }),
          ...(patch.managedLoginVersion !== undefined && { managedLoginVersion: patch.managedLoginVersion }),
        })
        .where(and(eq(poolDomains.domain, current.domain), eq(poolDomains.poolId, poolId)))
        .returning();
      if (!row) throw noSuchDomain();
      return row;
    },

    async delete(poolId: string, domain: string): Promise<void> {
      await deps.assertPool(poolId);
      const deleted = await db
        .delete(poolDomains)
        .where(and(eq(poolDomains.domain, domain.toLowerCase()), eq(poolDomains.poolId, poolId)))
        .returning({ domain: poolDomains.domain });
      invalidate();
      if (deleted.length === 0) throw noSuchDomain();
    },

    invalidate,
  };
}

export type PoolDomainsService = ReturnType<typeof createPoolDomains>;
