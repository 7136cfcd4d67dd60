/**
 * What the social providers do their own way (docs/federation.md, "The social providers"): Sign in
 * with Apple's client secret, Facebook's and Login with Amazon's profile calls (OAuth 2.0, no ID
 * token), and the name Apple posts on a first sign-in only. Google and Apple are otherwise OIDC.
 */
import { readCappedText } from '../../lib/capped-body.ts';
import { SignJWT, importPKCS8, type CryptoKey } from 'jose';
import { invalidParameter } from '../../errors/cognito-error.ts';
import type { IdentityProvider, IdentityProviderType, ProviderEndpoints, UpstreamProfile } from './federation.types.ts';

/** The audience Apple requires in a client secret (and the issuer of its ID tokens). */
export const APPLE_AUDIENCE = 'https://appleid.apple.com';
/** Apple allows six months; a secret made per token request needs only minutes, so a leaked one is soon worthless. */
export const APPLE_SECRET_LIFETIME_SECONDS = 300;
/** A profile call that takes longer is a provider that did not answer: the user's browser is waiting. */
export const PROFILE_TIMEOUT_MS = 5_000;
/** A profile is a few hundred bytes; more is not a profile (and must not fill our memory). */
export const MAX_PROFILE_BYTES = 64 * 1024;
/** Apple's `user` member is a name and an email: a few hundred characters. */
export const MAX_APPLE_USER_CHARS = 4_096;
const MAX_NAME_CHARS = 256;
const MAX_SUBJECT_CHARS = 255;

/** The subject's attribute of the profile answer for each OAuth 2.0 social type. */
const SUBJECT_ATTRIBUTE = { Facebook: 'id', LoginWithAmazon: 'user_id' } as const;
/** Facebook answers only the fields asked for; these when neither the URL nor the mapping names any. */
export const FACEBOOK_DEFAULT_FIELDS = ['id', 'email', 'name', 'first_name', 'last_name'];

export type SocialProfileType = keyof typeof SUBJECT_ATTRIBUTE;

/**
 * The provider could not be used: it did not answer (down, slow), answered an error status, or
 * answered something that is not a profile. Never a crash: the round trip shows the user that the
 * provider did not answer, and logs `reason` and `detail` (no token is ever in them).
 */
export class SocialProviderError extends Error {
  override readonly name = 'SocialProviderError';
  constructor(
    readonly providerType: IdentityProviderType,
    readonly reason: 'unreachable' | 'error-status' | 'unreadable' | 'no-subject' | 'misconfigured',
    readonly detail: string,
  ) {
    super(`${providerType}: the provider did not answer as expected (${reason}: ${detail})`);
  }
}

/** Reads a .p8 key (PKCS#8 PEM, P-256) for ES256; InvalidParameterException naming `private_key` otherwise. */
export async function importApplePrivateKey(pem: string): Promise<CryptoKey> {
  try {
    return await importPKCS8(pem.trim(), 'ES256');
  } catch {
    throw invalidParameter('private_key must be the text of a Sign in with Apple key file (.p8: PKCS#8 PEM, P-256).');
  }
}

/**
 * The client secret to send to the provider's token endpoint. Sign in with Apple: an ES256 JWT
 * signed with the team's key (header kid = key_id; iss = team_id, sub = client_id, the Services
 * ID; aud = Apple), made afresh per call. The others: the configured client secret.
 */
export async function clientSecretFor(
  provider: Pick<IdentityProvider, 'providerType' | 'details'>,
  secrets: { clientSecret?: string; privateKey?: string },
  now: Date = new Date(),
): Promise<string | undefined> {
  if (provider.providerType !== 'SignInWithApple') return secrets.clientSecret ?? provider.details.client_secret;
  const { team_id: teamId, key_id: keyId, client_id: clientId } = provider.details;
  const pem = secrets.privateKey ?? provider.details.private_key;
  const missing = Object.entries({ team_id: teamId, key_id: keyId, client_id: clientId, private_key: pem })
    .filter(([, value]) => !value)
    .map(([key]) => key);
  // The stored settings cannot be used: the administrator's to fix, not the provider's answer.
  if (missing.length > 0) throw invalidParameter(`Sign in with Apple needs ${missing.join(', ')} in ProviderDetails.`);
  const key = await importApplePrivateKey(pem!);
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: keyId! })
    .setIssuer(teamId!)
    .setSubject(clientId!)
    .setAudience(APPLE_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + APPLE_SECRET_LIFETIME_SECONDS)
    .sign(key);
}

/** Facebook's `fields`: those of the URL, those the mapping reads, and always `id` (the subject). */
function facebookUrl(attributesUrl: string, mappedFields: readonly string[]): URL {
  const url = new URL(attributesUrl);
  const given = (url.searchParams.get('fields') ?? '')
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean);
  // A mapped name is a field name (or Graph's field expansion syntax); anything else is not asked for.
  const mapped = mappedFields.filter((field) => /^[A-Za-z_][A-Za-z0-9_.{}(),]*$/.test(field));
  const fields = given.length + mapped.length === 0 ? FACEBOOK_DEFAULT_FIELDS : ['id', ...given, ...mapped];
  url.searchParams.set('fields', [...new Set(fields)].join(','));
  return url;
}

async function readLimited(response: Response, type: IdentityProviderType): Promise<string> {
  const text = await readCappedText(response, MAX_PROFILE_BYTES);
  if (text === null) throw new SocialProviderError(type, 'unreadable', `answer larger than ${MAX_PROFILE_BYTES} bytes`);
  return text;
}

/** A provider's JSON object with its own keys only: no key that could reach a prototype when merged. */
function plainObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => key !== '__proto__' && key !== 'constructor' && key !== 'prototype'),
  );
}

/** The subject as a string: a non-empty string or a whole number, of printable characters without spaces. */
function subjectOf(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_SUBJECT_CHARS) return undefined;
  // eslint-disable-next-line no-control-regex
  return /^[^\s\u0000-\u001f\u007f]+$/u.test(text) ? text : undefined;
}

/**
 * Asks Facebook's Graph `me` or Amazon's `user/profile` who the access token belongs to (the
 * token in the Authorization header, never in the URL, where logs keep it). Subject: Facebook's
 * `id`, Amazon's `user_id`. Facebook's `picture` ({data: {url}}) becomes its URL, the value the
 * `picture` attribute takes. `mappedFields`: the provider attributes the mapping reads, which
 * Facebook must be asked for by name (Cognito's attributes_url_add_attributes).
 */
export async function socialProfile(
  type: SocialProfileType,
  endpoints: Pick<ProviderEndpoints, 'attributesUrl' | 'attributesRequestMethod'>,
  accessToken: string,
  options: { mappedFields?: readonly string[]; timeoutMs?: number } = {},
): Promise<UpstreamProfile> {
  if (!endpoints.attributesUrl) throw new SocialProviderError(type, 'misconfigured', 'no attributes_url');
  let url: URL;
  try {
    url =
      type === 'Facebook'
        ? facebookUrl(endpoints.attributesUrl, options.mappedFields ?? [])
        : new URL(endpoints.attributesUrl);
  } catch {
    throw new SocialProviderError(type, 'misconfigured', 'attributes_url is not a URL');
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method: endpoints.attributesRequestMethod,
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      // A redirect is not a profile; following it would send the token elsewhere.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? PROFILE_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    throw new SocialProviderError(
      type,
      'unreachable',
      timedOut ? 'no answer in time' : `${url.host} could not be reached`,
    );
  }
  let text: string;
  try {
    text = await readLimited(response, type);
  } catch (error) {
    if (error instanceof SocialProviderError) throw error;
    throw new SocialProviderError(type, 'unreachable', 'the answer was cut off');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = plainObject(parsed);
  if (response.status < 200 || response.status > 299) {
    // Facebook's {error: {type, code}}; Amazon's {error, error_description}. Kinds only, no message text.
    const error = plainObject(body?.error);
    const kind = error ? `${String(error.type ?? '')} ${String(error.code ?? '')}`.trim() : String(body?.error ?? '');
    throw new SocialProviderError(
      type,
      'error-status',
      `HTTP ${response.status}${kind ? ` ${kind.slice(0, 100)}` : ''}`,
    );
  }
  if (!body) throw new SocialProviderError(type, 'unreadable', 'the answer is not a JSON object');
  const subject = subjectOf(body[SUBJECT_ATTRIBUTE[type]]);
  if (!subject) throw new SocialProviderError(type, 'no-subject', `no usable ${SUBJECT_ATTRIBUTE[type]} in the answer`);
  const claims: Record<string, unknown> = { ...body, [SUBJECT_ATTRIBUTE[type]]: subject };
  if (type === 'Facebook') {
    const pictureUrl = plainObject(plainObject(body.picture)?.data)?.url;
    if (typeof pictureUrl === 'string') claims.picture = pictureUrl;
  }
  return { subject, claims };
}

/** A name part as Apple sent it: a string, trimmed, without control characters, not too long. */
function namePart(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  // eslint-disable-next-line no-control-regex
  if (trimmed.length === 0 || trimmed.length > MAX_NAME_CHARS || /[\u0000-\u001f\u007f]/u.test(trimmed))
    return undefined;
  return trimmed;
}

/**
 * The claims of the `user` member Apple posts to /oauth2/idpresponse on a user's first sign-in
 * only (`{"name": {"firstName", "lastName"}, "email"}`): `firstName`, `lastName` and `name`, the
 * attribute names Cognito maps for Apple. Unsigned and sent by the browser, so it is read
 * defensively (size, shape, control characters), a bad one is ignored rather than failing the
 * sign-in, and its `email` is never taken: the ID token's signed `email` is the one that counts.
 */
export function appleFormUser(params: Record<string, unknown>): Record<string, unknown> {
  const raw = params.user;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_APPLE_USER_CHARS) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {};
  }
  const name = plainObject(plainObject(parsed)?.name);
  const firstName = namePart(name?.firstName);
  const lastName = namePart(name?.lastName);
  const claims: Record<string, unknown> = {};
  if (firstName) claims.firstName = firstName;
  if (lastName) claims.lastName = lastName;
  if (firstName || lastName) claims.name = [firstName, lastName].filter(Boolean).join(' ');
  return claims;
}
