/** Cognito's user pool groups (docs/groups.md). Types only. */

export interface Group {
  poolId: string;
  name: string;
  description: string | null;
  /** Lower wins for cognito:preferred_role; null ranks after every number. */
  precedence: number | null;
  roleArn: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What CreateGroup sets; absent members are null. */
export interface GroupInput {
  name: string;
  description?: string | null;
  precedence?: number | null;
  roleArn?: string | null;
}

/** UpdateGroup: an absent member keeps its value, null clears it (docs/groups.md). */
export interface GroupPatch {
  description?: string | null;
  precedence?: number | null;
  roleArn?: string | null;
}

/** A page request: at most `limit` items after the position the token holds. */
export interface PageInput {
  limit?: number;
  nextToken?: string;
}

/** What tokens carry of a user's groups: cognito:groups, cognito:roles, cognito:preferred_role. */
export interface GroupClaims {
  /** Group names, by precedence (nulls last) then name. */
  groups: string[];
  /** Distinct role ARNs of those groups, in the same order. */
  roles: string[];
  /** The role of the group with the lowest precedence; absent on a tie between different roles. */
  preferredRole?: string;
}

/** A group as export/import carries it, with its members' usernames. */
export interface GroupTransfer {
  name: string;
  description: string | null;
  precedence: number | null;
  roleArn: string | null;
}
