import { CognitoError } from '../../errors/cognito-error.ts';
import type { PoolsService } from '../pools/pools.service.ts';

/**
 * AdminInitiateAuth and AdminRespondToAuthChallenge name the pool and the client (docs/admin-auth.md):
 * the pool must exist and the client be one of its own, or the call is answered as Cognito answers
 * an unknown client. The sign-in then runs as the user actions' does, with that client.
 */
export async function assertClientOfPool(
  pools: Pick<PoolsService, 'getPool' | 'clientWithPool'>,
  poolId: string,
  clientId: string,
): Promise<void> {
  await pools.getPool(poolId);
  const { pool } = await pools.clientWithPool(clientId);
  if (pool.id !== poolId)
    throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
}
