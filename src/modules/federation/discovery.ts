/**
 * OpenID Connect discovery of an OIDC provider's endpoints from its `oidc_issuer`, at
 * CreateIdentityProvider and UpdateIdentityProvider (docs/federation.md, "Configuring providers").
 *
 * Plain fetch rather than openid-client's discovery(): the document is fetched once, at
 * configuration, and only four members are read; the checks it needs are ours (https except to a
 * loopback host, no redirects, a time and size limit, every URL it names held to the same rule),
 * and openid-client's only way to allow http is to allow it for every host.
 */
import { readCappedText } from '../../lib/capped-body.ts';
import { invalidParameter, isCognitoError } from '../../errors/cognito-error.ts';

export const DISCOVERY_TIMEOUT_MS = 5_000;
/** Real documents are 1 to 5 KB; this leaves room and bounds what a hostile issuer can send. */
export const DISCOVERY_MAX_BYTES = 256 * 1024;
const MAX_URL_LENGTH = 2048;

/** http is allowed to these hosts only: tests and a local proxy (docs/federation.md, "The https rule"). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A provider URL as Cognate takes one: absolute https, or http to a loopback host; no user name or
 * password, no fragment. Throws InvalidParameterException naming the key.
 */
export function checkProviderUrl(value: string, key: string): URL {
  const bad = (why: string) => invalidParameter(`ProviderDetails ${key} ${JSON.stringify(value.slice(0, 200))} ${why}`);
  if (value.length > MAX_URL_LENGTH) throw bad(`is longer than ${MAX_URL_LENGTH} characters.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('is not an absolute URL.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))
    throw bad('must use https (http only to localhost, 127.0.0.1 or [::1]).');
  if (url.username !== '' || url.password !== '') throw bad('must not carry a user name or password.');
  if (value.includes('#')) throw bad('must not have a fragment (#).');
  return url;
}

/** The endpoints a discovery document names, under their ProviderDetails keys. */
export interface DiscoveredEndpoints {
  authorize_url?: string;
  token_url?: string;
  attributes_url?: string;
  jwks_uri?: string;
}

const unreachable = (issuer: string, why: string) =>
  invalidParameter(
    `The OpenID Connect discovery document of oidc_issuer ${JSON.stringify(issuer.slice(0, 200))} could not be read (${why}); give authorize_url, token_url and jwks_uri in ProviderDetails instead.`,
  );

async function readCapped(response: Response, issuer: string): Promise<string> {
  const text = await readCappedText(response, DISCOVERY_MAX_BYTES);
  if (text === null) throw unreachable(issuer, `larger than ${DISCOVERY_MAX_BYTES} bytes`);
  return text;
}

/**
 * Reads `<issuer>/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4): the
 * document's `issuer` must be the one configured, exactly; each endpoint it names must pass
 * checkProviderUrl. No redirect is followed (a redirect could lead off the issuer's host).
 */
export async function discoverEndpoints(
  issuer: string,
  options: { timeoutMs?: number } = {},
): Promise<DiscoveredEndpoints> {
  checkProviderUrl(issuer, 'oidc_issuer');
  const address = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let text: string;
  try {
    const response = await fetch(address, {
      redirect: 'manual',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? DISCOVERY_TIMEOUT_MS),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw unreachable(issuer, `HTTP ${response.status}`);
    }
    text = await readCapped(response, issuer);
  } catch (error) {
    if (isCognitoError(error)) throw error;
    const why =
      error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
        ? `no answer within ${options.timeoutMs ?? DISCOVERY_TIMEOUT_MS} ms`
        : 'unreachable';
    throw unreachable(issuer, why);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw unreachable(issuer, 'not JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw unreachable(issuer, 'not a JSON object');
  const members = document as Record<string, unknown>;
  // Discovery §4.3: the issuer it states must be identical to the one it was fetched for.
  if (members.issuer !== issuer)
    throw invalidParameter(
      `The discovery document of oidc_issuer ${JSON.stringify(issuer.slice(0, 200))} names another issuer (${JSON.stringify(String(members.issuer).slice(0, 200))}); oidc_issuer must be the issuer exactly as the provider states it.`,
    );
  const found: DiscoveredEndpoints = {};
  const take = (member: string, key: keyof DiscoveredEndpoints) => {
    const value = members[member];
    if (value === undefined) return;
    if (typeof value !== 'string') throw unreachable(issuer, `${member} is not a string`);
    checkProviderUrl(value, `${key} (discovered as ${member})`);
    found[key] = value;
  };
  take('authorization_endpoint', 'authorize_url');
  take('token_endpoint', 'token_url');
  take('userinfo_endpoint', 'attributes_url');
  take('jwks_uri', 'jwks_uri');
  return found;
}
