import { readAttributes, type UserAttributeState } from '../attributes/index.ts';
import type { Pool } from '../pools/pools.types.ts';
import type { UserRow } from './users.repository.ts';

/** The whole user as an administrator sees it: every attribute, no client filter. */
export function presentUser(pool: Pool, user: UserRow, state: UserAttributeState) {
  return {
    username: user.username,
    userSub: user.id,
    userStatus: user.status,
    enabled: user.enabled,
    attributes: readAttributes(pool.attributeSettings, null, state),
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
