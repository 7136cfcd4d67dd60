/**
 * /oauth2/userInfo's answer by the access token's scopes, as Cognito (docs/web-sign-in.md,
 * "Tokens and scopes"): `openid` alone, every attribute the client may read; with `profile`,
 * `email` or `phone`, those groups' attributes only (`profile` takes the custom ones too).
 * `sub` and `username` always.
 */
const PROFILE = new Set([
  'name',
  'family_name',
  'given_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'updated_at',
  'address',
]);
const EMAIL = new Set(['email', 'email_verified']);
const PHONE = new Set(['phone_number', 'phone_number_verified']);

export function userInfoClaims<T>(claims: Record<string, T>, scope: string): Record<string, T> {
  const scopes = new Set(scope.split(' '));
  const profile = scopes.has('profile');
  const email = scopes.has('email');
  const phone = scopes.has('phone');
  if (!profile && !email && !phone) return claims;
  const kept: Record<string, T> = {};
  for (const [name, value] of Object.entries(claims)) {
    const keep =
      name === 'sub' ||
      name === 'username' ||
      (profile && (PROFILE.has(name) || name.startsWith('custom:'))) ||
      (email && EMAIL.has(name)) ||
      (phone && PHONE.has(name));
    if (keep) kept[name] = value;
  }
  return kept;
}
