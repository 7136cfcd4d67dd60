/**
 * The PreTokenGeneration trigger (docs/groups.md, "PreTokenGeneration"): the event a hook gets for
 * each version, and what of its answer the tokens take. Pure functions; sessions.service.ts calls
 * the hook and signs.
 */
import { CognitoError } from '../../errors/cognito-error.ts';
import type { GroupClaims } from '../groups/groups.types.ts';
import type { PreTokenGenerationVersion } from '../hooks/hooks.types.ts';

/**
 * Claims a hook may neither set nor suppress: the token's own identity, times and audience, and
 * Cognito's `cognito:` names (groups and roles go through groupOverrideDetails). Cognito ignores
 * such an attempt; so does Cognate (docs/groups.md).
 */
const RESERVED = new Set([
  'acr',
  'amr',
  'at_hash',
  'aud',
  'auth_time',
  'azp',
  'c_hash',
  'client_id',
  'device_key',
  'event_id',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'scope',
  'sub',
  'token_use',
  'username',
]);
// `dev:` claims are Cognito's developer-only attributes, excluded too. `__proto__`: an own key of a
// parsed answer that must not become an object's prototype.
const isReserved = (name: string) =>
  RESERVED.has(name) || name.startsWith('cognito:') || name.startsWith('dev:') || name === '__proto__';

/** Claims Cognito takes no list or object for (docs/groups.md): a string, number or boolean only. */
const SCALAR_ONLY = new Set(['address', 'email_verified', 'phone_number_verified', 'updated_at']);

/** What the signing takes from the trigger: claims per token, scopes, and the group claims. */
export interface TokenCustomisation {
  idClaims: Record<string, unknown>;
  idSuppress: string[];
  accessClaims: Record<string, unknown>;
  accessSuppress: string[];
  scopes: string[];
  groups: GroupClaims;
}

/** The event's `request` (V1 without scopes) and the `response` Cognito pre-fills. */
export function preTokenEvent(
  version: PreTokenGenerationVersion,
  input: {
    userAttributes: Record<string, string>;
    groups: GroupClaims;
    clientMetadata: Record<string, string>;
    scopes: string[];
  },
) {
  const request = {
    userAttributes: input.userAttributes,
    groupConfiguration: {
      groupsToOverride: input.groups.groups,
      iamRolesToOverride: input.groups.roles,
      preferredRole: input.groups.preferredRole ?? null,
    },
    clientMetadata: input.clientMetadata,
    ...(version !== 'V1_0' && { scopes: input.scopes }),
  };
  const response = version === 'V1_0' ? { claimsOverrideDetails: null } : { claimsAndScopeOverrideDetails: null };
  return { request, response };
}

const invalid = (detail: string) =>
  new CognitoError('InvalidLambdaResponseException', `Invalid PreTokenGeneration response: ${detail}.`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function optionalObject(v: unknown, where: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalid(`${where} must be an object`);
  return v;
}

function stringList(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw invalid(`${where} must be a list of strings`);
  return v as string[];
}

/** Claims to add: V1 takes strings only (Cognito's StringMap); V2 and V3 any JSON value. */
function claimsOf(v: unknown, where: string, stringsOnly: boolean): Record<string, unknown> {
  const map = optionalObject(v, where);
  if (!map) return {};
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(map)) {
    if (stringsOnly && typeof value !== 'string') throw invalid(`${where}.${name.slice(0, 64)} must be a string`);
    if (value === undefined) continue;
    if (SCALAR_ONLY.has(name) && typeof value === 'object' && value !== null)
      throw invalid(`${where}.${name} must be a string, number or boolean`);
    if (!isReserved(name)) kept[name] = value;
  }
  return kept;
}

const suppressOf = (v: unknown, where: string) => (stringList(v, where) ?? []).filter((name) => !isReserved(name));

function groupOverride(v: unknown, current: GroupClaims): GroupClaims {
  const details = optionalObject(v, 'groupOverrideDetails');
  if (!details) return current;
  const groups = stringList(details.groupsToOverride, 'groupOverrideDetails.groupsToOverride');
  const roles = stringList(details.iamRolesToOverride, 'groupOverrideDetails.iamRolesToOverride');
  const preferred = details.preferredRole;
  if (preferred !== undefined && preferred !== null && typeof preferred !== 'string')
    throw invalid('groupOverrideDetails.preferredRole must be a string');
  const kept = roles ?? current.roles;
  // The preferred role the groups gave stays only while it is among the roles: a hook that takes a
  // role away takes it out of cognito:preferred_role too (docs/groups.md).
  const inherited = current.preferredRole !== undefined && kept.includes(current.preferredRole);
  return {
    groups: groups ?? current.groups,
    roles: kept,
    ...(preferred === undefined
      ? inherited && { preferredRole: current.preferredRole }
      : typeof preferred === 'string' && { preferredRole: preferred }),
  };
}

/** Applies a hook's `response` (undefined: no hook) to what the tokens would carry. */
export function applyPreTokenResponse(
  version: PreTokenGenerationVersion,
  response: Record<string, unknown> | undefined,
  base: { groups: GroupClaims; scopes: string[] },
): TokenCustomisation {
  const result: TokenCustomisation = {
    idClaims: {},
    idSuppress: [],
    accessClaims: {},
    accessSuppress: [],
    scopes: base.scopes,
    groups: base.groups,
  };
  if (!response) return result;
  if (version === 'V1_0') {
    const details = optionalObject(response.claimsOverrideDetails, 'claimsOverrideDetails');
    if (!details) return result;
    result.idClaims = claimsOf(details.claimsToAddOrOverride, 'claimsToAddOrOverride', true);
    result.idSuppress = suppressOf(details.claimsToSuppress, 'claimsToSuppress');
    result.groups = groupOverride(details.groupOverrideDetails, base.groups);
    return result;
  }
  const details = optionalObject(response.claimsAndScopeOverrideDetails, 'claimsAndScopeOverrideDetails');
  if (!details) return result;
  const id = optionalObject(details.idTokenGeneration, 'idTokenGeneration');
  const access = optionalObject(details.accessTokenGeneration, 'accessTokenGeneration');
  if (id) {
    result.idClaims = claimsOf(id.claimsToAddOrOverride, 'idTokenGeneration.claimsToAddOrOverride', false);
    result.idSuppress = suppressOf(id.claimsToSuppress, 'idTokenGeneration.claimsToSuppress');
  }
  if (access) {
    result.accessClaims = claimsOf(access.claimsToAddOrOverride, 'accessTokenGeneration.claimsToAddOrOverride', false);
    result.accessSuppress = suppressOf(access.claimsToSuppress, 'accessTokenGeneration.claimsToSuppress');
    const add = stringList(access.scopesToAdd, 'accessTokenGeneration.scopesToAdd') ?? [];
    const drop = new Set(stringList(access.scopesToSuppress, 'accessTokenGeneration.scopesToSuppress') ?? []);
    if (add.some((s) => /\s/.test(s) || s === '')) throw invalid('a scope must be a non-empty word');
    result.scopes = [...new Set([...base.scopes, ...add])].filter((s) => !drop.has(s));
  }
  result.groups = groupOverride(details.groupOverrideDetails, base.groups);
  return result;
}
