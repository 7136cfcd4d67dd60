/**
 * Cognito's resource servers (CreateResourceServer and the rest): custom scopes
 * `<identifier>/<scope name>` that clients may allow and access tokens carry
 * (docs/web-sign-in.md, "Resource servers").
 */
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db, Queryable } from '../../db/client.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { resourceServers } from '../../db/schema/resource-servers.ts';
import { CognitoError, invalidParameter } from '../../errors/cognito-error.ts';
import type { ResourceServerScope } from '../oauth/oauth.types.ts';

/** Cognito's limits (API reference, ResourceServerType and ResourceServerScopeType). */
export const IDENTIFIER_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;
export const NAME_PATTERN = /^[\w\s+=,.@-]{1,256}$/;
/** A scope name has no `/`: it follows the identifier's. */
export const SCOPE_NAME_PATTERN = /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/;
export const MAX_SCOPES_PER_SERVER = 100;
/** Cognito's quota of resource servers per user pool. */
export const MAX_SERVERS_PER_POOL = 25;
export const MAX_PAGE = 50;

export interface ResourceServer {
  poolId: string;
  identifier: string;
  name: string;
  scopes: ResourceServerScope[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ResourceServerInput {
  identifier: string;
  name: string;
  scopes?: ResourceServerScope[];
}

const notFound = (identifier: string) =>
  new CognitoError('ResourceNotFoundException', `Resource server ${identifier.slice(0, 256)} does not exist.`);

function checkInput(input: ResourceServerInput): ResourceServerScope[] {
  if (!IDENTIFIER_PATTERN.test(input.identifier))
    throw invalidParameter('Identifier must be 1 to 256 printable characters without spaces, " or \\.');
  if (!NAME_PATTERN.test(input.name))
    throw invalidParameter('Name must be 1 to 256 letters, digits, spaces and + = , . @ _ -.');
  const scopes = input.scopes ?? [];
  if (scopes.length > MAX_SCOPES_PER_SERVER)
    throw invalidParameter(`Scopes may list at most ${MAX_SCOPES_PER_SERVER} scopes.`);
  const seen = new Set<string>();
  for (const scope of scopes) {
    if (!SCOPE_NAME_PATTERN.test(scope.name))
      throw invalidParameter(
        `ScopeName ${JSON.stringify(scope.name.slice(0, 256))} must be 1 to 256 printable characters without spaces, ", / or \\.`,
      );
    if (scope.description.length < 1 || scope.description.length > 256)
      throw invalidParameter(`ScopeDescription of ${scope.name} must be 1 to 256 characters.`);
    if (seen.has(scope.name)) throw invalidParameter(`Scope ${scope.name} is listed twice.`);
    seen.add(scope.name);
  }
  return scopes.map((scope) => ({ name: scope.name, description: scope.description }));
}

const fullNames = (identifier: string, scopes: readonly ResourceServerScope[]) =>
  scopes.map((scope) => `${identifier}/${scope.name}`);

/** Opaque page tokens: the last identifier shown. */
const pageToken = {
  issue: (identifier: string) => Buffer.from(JSON.stringify({ r: identifier })).toString('base64url'),
  read(token: string | undefined): string | undefined {
    if (token === undefined) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (typeof parsed.r === 'string' && parsed.r !== '' && Object.keys(parsed).length === 1) return parsed.r;
    } catch {
      // fall through
    }
    throw invalidParameter('Invalid NextToken.');
  },
};

export function createResourceServers(deps: {
  db: Db;
  /** Throws ResourceNotFoundException for an unknown pool. */
  assertPool: (poolId: string) => Promise<unknown>;
  /** Scopes that no longer exist leave every client of the pool, in the same transaction. */
  removeClientScopes: (q: Queryable, poolId: string, removed: ReadonlySet<string>) => Promise<void>;
}) {
  const { db } = deps;

  async function find(q: Queryable, poolId: string, identifier: string, lock = false): Promise<ResourceServer> {
    const query = q
      .select()
      .from(resourceServers)
      .where(and(eq(resourceServers.poolId, poolId), eq(resourceServers.identifier, identifier)));
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw notFound(identifier);
    return row;
  }

  return {
    async create(poolId: string, input: ResourceServerInput): Promise<ResourceServer> {
      const scopes = checkInput(input);
      await deps.assertPool(poolId);
      try {
        return await db.transaction(async (tx) => {
          const existing = await tx
            .select({ identifier: resourceServers.identifier })
            .from(resourceServers)
            .where(eq(resourceServers.poolId, poolId));
          if (existing.some((row) => row.identifier === input.identifier))
            throw invalidParameter(`A resource server with identifier ${input.identifier} already exists.`);
          if (existing.length >= MAX_SERVERS_PER_POOL)
            throw new CognitoError(
              'LimitExceededException',
              `A user pool has at most ${MAX_SERVERS_PER_POOL} resource servers.`,
            );
          const [row] = await tx
            .insert(resourceServers)
            .values({ poolId, identifier: input.identifier, name: input.name, scopes })
            .returning();
          return row!;
        });
      } catch (error) {
        if (uniqueViolation(error) === 'resource_servers_pool_id_identifier_pk')
          throw invalidParameter(`A resource server with identifier ${input.identifier} already exists.`);
        throw error;
      }
    },

    async describe(poolId: string, identifier: string): Promise<ResourceServer> {
      await deps.assertPool(poolId);
      return find(db, poolId, identifier);
    },

    async list(
      poolId: string,
      page: { limit?: number; nextToken?: string } = {},
    ): Promise<{ servers: ResourceServer[]; nextToken?: string }> {
      const limit = page.limit ?? MAX_PAGE;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
        throw invalidParameter(`MaxResults must be an integer from 1 to ${MAX_PAGE}.`);
      const after = pageToken.read(page.nextToken);
      await deps.assertPool(poolId);
      const rows = await db
        .select()
        .from(resourceServers)
        .where(
          and(
            eq(resourceServers.poolId, poolId),
            after === undefined ? undefined : gt(resourceServers.identifier, after),
          ),
        )
        .orderBy(asc(resourceServers.identifier))
        .limit(limit + 1);
      const servers = rows.slice(0, limit);
      return {
        servers,
        ...(rows.length > limit && { nextToken: pageToken.issue(servers.at(-1)!.identifier) }),
      };
    },

    /** Replaces the name and the whole list of scopes, as Cognito does; a scope left out leaves every client. */
    async update(poolId: string, input: ResourceServerInput): Promise<ResourceServer> {
      const scopes = checkInput(input);
      await deps.assertPool(poolId);
      return db.transaction(async (tx) => {
        const current = await find(tx, poolId, input.identifier, true);
        const kept = new Set(fullNames(input.identifier, scopes));
        const removed = new Set(fullNames(current.identifier, current.scopes).filter((scope) => !kept.has(scope)));
        const [row] = await tx
          .update(resourceServers)
          .set({ name: input.name, scopes, updatedAt: new Date() })
          .where(and(eq(resourceServers.poolId, poolId), eq(resourceServers.identifier, input.identifier)))
          .returning();
        await deps.removeClientScopes(tx, poolId, removed);
        return row!;
      });
    },

    /** Its scopes leave every client of the pool (docs/web-sign-in.md, "Resource servers"). */
    async delete(poolId: string, identifier: string): Promise<void> {
      await deps.assertPool(poolId);
      await db.transaction(async (tx) => {
        const current = await find(tx, poolId, identifier, true);
        await tx
          .delete(resourceServers)
          .where(and(eq(resourceServers.poolId, poolId), eq(resourceServers.identifier, identifier)));
        await deps.removeClientScopes(tx, poolId, new Set(fullNames(current.identifier, current.scopes)));
      });
    },

    /** Every custom scope of the pool, `<identifier>/<scope name>`: what clients may allow. */
    async scopesOf(poolId: string): Promise<ReadonlySet<string>> {
      const rows = await db
        .select({ identifier: resourceServers.identifier, scopes: resourceServers.scopes })
        .from(resourceServers)
        .where(eq(resourceServers.poolId, poolId));
      return new Set(rows.flatMap((row) => fullNames(row.identifier, row.scopes)));
    },
  };
}

export type ResourceServersService = ReturnType<typeof createResourceServers>;
