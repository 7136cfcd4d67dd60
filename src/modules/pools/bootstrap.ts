import { readFile } from 'node:fs/promises';
import type { AppClient, ClientInput, CreatePoolInput, Pool, PoolsService } from './pools.service.ts';

/**
 * What `npm start` creates on an empty database, so a newcomer can sign up at once, and Amplify's
 * default sign-in (SRP) works unchanged: the pool keeps an SRP verifier per user
 * (docs/getting-started.md, "The default pool and SRP").
 */
const defaultPool: CreatePoolInput = {
  name: 'default',
  autoVerifiedAttributes: ['email'],
  aliasAttributes: ['email'],
  srpEnabled: true,
};

/**
 * A client in the file is declared whole: a setting its entry leaves out goes back to its default
 * at the next start (a list removed from the file stops applying), as a new client would get.
 */
const CLIENT_DEFAULTS = {
  readAttributes: null,
  writeAttributes: null,
  explicitAuthFlows: null,
  allowedOrigins: null,
  preventUserExistenceErrors: true,
} satisfies Partial<ClientInput>;

export interface PoolsFile {
  pools: Array<CreatePoolInput & { clients?: ClientInput[] }>;
}

/**
 * First start: a pool named `default` with one client. With POOLS_FILE: each pool and client
 * in the file is created when missing and its clients brought up to date; custom attributes
 * missing from an existing pool are added (existing ones can never change).
 */
export async function bootstrapPools(pools: PoolsService, options: { poolsFile?: string }) {
  if (!options.poolsFile) {
    const existing = await pools.listPools();
    const pool = existing.find((p) => p.name === 'default') ?? existing[0] ?? (await pools.createPool(defaultPool));
    const clients = await pools.listClients(pool.id);
    const client = clients[0] ?? (await pools.createClient(pool.id, { name: 'default' }));
    return [{ pool, clients: [client], created: existing.length === 0 }];
  }
  const file = JSON.parse(await readFile(options.poolsFile, 'utf8')) as PoolsFile;
  if (!Array.isArray(file.pools)) throw new Error(`${options.poolsFile}: expected {"pools": [...]}`);
  const result: Array<{ pool: Pool; clients: AppClient[]; created: boolean }> = [];
  for (const { clients: clientInputs = [], ...poolInput } of file.pools) {
    if (!poolInput.poolId) throw new Error(`${options.poolsFile}: every pool needs a poolId so restarts find it again`);
    let pool = await pools.getPool(poolInput.poolId).catch(() => undefined);
    const created = !pool;
    if (!pool) pool = await pools.createPool(poolInput);
    else {
      const have = new Set(pool.attributeSettings.schema.map((a) => a.name));
      const missing = (poolInput.schema ?? []).filter(
        (a) => !have.has(a.name) && !have.has(`custom:${a.name}`) && !have.has(`dev:custom:${a.name}`),
      );
      // Standard names are always in the schema, so whatever is missing is a new custom attribute.
      if (missing.length > 0) pool = await pools.addCustomAttributes(pool.id, missing);
      if (poolInput.srpEnabled !== undefined && poolInput.srpEnabled !== pool.srpEnabled)
        pool = await pools.setSrpEnabled(pool.id, poolInput.srpEnabled);
    }
    const clients: AppClient[] = [];
    for (const input of clientInputs) {
      if (!input.clientId)
        throw new Error(`${options.poolsFile}: every client needs a clientId so restarts find it again`);
      const exists = await pools.getClient(pool.id, input.clientId).catch(() => undefined);
      clients.push(
        exists
          ? await pools.updateClient(pool.id, input.clientId, { ...CLIENT_DEFAULTS, ...input })
          : await pools.createClient(pool.id, input),
      );
    }
    result.push({ pool, clients, created });
  }
  return result;
}
