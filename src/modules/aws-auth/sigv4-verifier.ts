/**
 * AWS Signature Version 4 verification for the Cognito wire protocol.
 *
 * The AWS SDKs sign admin operations (CreateUserPool, AdminGetUser, ListUsers, ...)
 * with SigV4. We do not hand-write the canonical request: we rebuild the request
 * the client signed — method, path, query, the raw body and ONLY the headers named
 * in `SignedHeaders` — and sign it again with `@smithy/signature-v4` (the signer the
 * JS SDK itself uses), with the configured secret, the credential scope's region and
 * service and the request's `x-amz-date` as signing date. The two signatures are then
 * compared in constant time.
 *
 * What the smithy signer does on its own, and how we line it up with the client:
 * - it drops `authorization`, `x-amz-date` and `date` from the request and adds
 *   `x-amz-date` back from the signing date: we require `x-amz-date` to be signed and
 *   in canonical `YYYYMMDDTHHMMSSZ` form (so the value it regenerates is the one the
 *   client signed), and refuse a signed `date` header, which it cannot reproduce;
 * - it adds `x-amz-content-sha256` when `applyChecksum` is on: we turn that off, so the
 *   header takes part exactly when the client signed it (the JS SDK does); when signed,
 *   its value is the payload hash, so we check it against the body's real SHA-256 —
 *   otherwise a signature over `UNSIGNED-PAYLOAD` would leave the body unauthenticated;
 * - it adds `x-amz-security-token` for session credentials: we only know long-term
 *   keys, so a request carrying one is refused before signing;
 * - it skips always-unsignable headers (`user-agent`, `expect`, `proxy-*`, `sec-*`, ...)
 *   unless they are in `signableHeaders`: we pass the client's SignedHeaders as
 *   `signableHeaders`, so whatever the client chose to sign is signed again, and headers
 *   the client did not sign (added later by proxies, say) never reach the signer.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { CognitoError } from '../../errors/cognito-error.ts';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface IncomingSignedRequest {
  method: string;
  /** Path only, as received (no query string). */
  path: string;
  query?: Record<string, string | string[]>;
  /** Node's IncomingHttpHeaders: lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body exactly as received. */
  body: string;
}

export interface SigV4Scope {
  accessKeyId: string;
  region: string;
  service: string;
}

export interface SigV4Verifier {
  /** Throws CognitoError with AWS's names; returns the credential scope on success. */
  verify(request: IncomingSignedRequest, now?: Date): Promise<SigV4Scope>;
}

/** The request shape `SignatureV4` signs (smithy's HttpRequest), without importing its types package. */
type SignableRequest = Parameters<SignatureV4['presign']>[0];

const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';
const AMZ_DATE = 'x-amz-date';
const AMZ_TARGET = 'x-amz-target';
/** The only service this verifier answers for: a signature scoped to another (s3, say) is never ours to take. */
const SERVICE = 'cognito-idp';
const CONTENT_SHA256 = 'x-amz-content-sha256';
const SECURITY_TOKEN = 'x-amz-security-token';
const PRESIGN_QUERY_PARAMS = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-signature', 'x-amz-signedheaders'];

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const SCOPE_PART = /^[a-z0-9-]+$/;
const LONG_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;

const sha256 = Hash.bind(null, 'sha256');

function invalidSignature(message?: string): CognitoError {
  return new CognitoError('InvalidSignatureException', message);
}

function unrecognizedClient(): CognitoError {
  return new CognitoError('UnrecognizedClientException');
}

export function createSigV4Verifier(
  credentials: AwsCredentials | undefined,
  options: { clockSkewSeconds?: number } = {},
): SigV4Verifier {
  if (credentials !== undefined && (!credentials.accessKeyId || !credentials.secretAccessKey)) {
    throw new TypeError('createSigV4Verifier: accessKeyId and secretAccessKey must be non-empty strings');
  }
  const clockSkewSeconds = options.clockSkewSeconds ?? 300;
  if (!Number.isFinite(clockSkewSeconds) || clockSkewSeconds < 0) {
    throw new TypeError('createSigV4Verifier: clockSkewSeconds must be a non-negative number');
  }
  const keys =
    credentials === undefined
      ? undefined
      : { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey };

  return {
    async verify(request, now = new Date()) {
      const authorization = headerValue(request.headers, 'authorization');
      const presigned = hasPresignQuery(request.query);
      if (authorization === undefined) {
        if (presigned) {
          throw invalidSignature(
            'Query-string (presigned) SigV4 authentication is not supported; sign the request with an Authorization header.',
          );
        }
        throw new CognitoError('MissingAuthenticationTokenException');
      }
      if (presigned) {
        throw invalidSignature(
          'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
        );
      }

      const auth = parseAuthorization(authorization);
      // X-Amz-Target names the action: unsigned, a captured AdminGetUser could be replayed as AdminDisableUser.
      // AWS's signing rules put Content-Type and every x-amz-* header the request carries among the signed ones.
      if (!auth.signedHeaders.includes(AMZ_TARGET)) {
        throw invalidSignature("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
      }
      if (headerValue(request.headers, 'content-type') !== undefined && !auth.signedHeaders.includes('content-type')) {
        throw invalidSignature("'Content-Type' must be a 'SignedHeader' in the AWS Authorization.");
      }
      const amzDate = headerValue(request.headers, AMZ_DATE);
      if (amzDate === undefined) {
        throw invalidSignature("Authorization header requires existence of an 'X-Amz-Date' header.");
      }
      const signingDate = parseLongDate(amzDate);
      if (signingDate === undefined) {
        throw invalidSignature("'X-Amz-Date' must be in the ISO-8601 basic format YYYYMMDD'T'HHMMSS'Z'.");
      }

      // Who is calling: only our one long-term key is known.
      if (keys === undefined || auth.accessKeyId !== keys.accessKeyId) throw unrecognizedClient();
      if (headerValue(request.headers, SECURITY_TOKEN) !== undefined) throw unrecognizedClient();

      if (auth.shortDate !== amzDate.slice(0, 8)) {
        throw invalidSignature(
          `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.shortDate}' != '${amzDate.slice(0, 8)}', from 'X-Amz-Date'.`,
        );
      }
      checkClock(amzDate, signingDate, now, clockSkewSeconds);

      // Rebuild the request with only the headers the client signed.
      const headers: Record<string, string> = {};
      for (const name of auth.signedHeaders) {
        const value = headerValue(request.headers, name);
        if (value === undefined) throw invalidSignature(`Signed header '${name}' is missing from the request.`);
        headers[name] = value;
      }
      const signedSha256 = headers[CONTENT_SHA256];
      if (signedSha256 !== undefined) {
        const bodySha256 = createHash('sha256').update(request.body, 'utf8').digest('hex');
        if (signedSha256.toLowerCase() !== bodySha256) {
          throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
      }

      const toSign: SignableRequest = {
        method: request.method,
        protocol: 'https:',
        hostname: 'localhost', // not signed: the `host` header is
        path: request.path,
        query: request.query ?? {},
        headers,
        body: request.body,
      };
      const signer = new SignatureV4({
        credentials: keys,
        region: auth.region,
        service: auth.service,
        sha256,
        applyChecksum: false,
        uriEscapePath: true,
      });
      const resigned = await signer.sign(toSign, { signingDate, signableHeaders: new Set(auth.signedHeaders) });
      const expected = resigned.headers['authorization'];
      const expectedSignature = expected === undefined ? undefined : /, Signature=([0-9a-f]{64})$/.exec(expected)?.[1];
      const expectedSignedHeaders = expected === undefined ? undefined : /, SignedHeaders=([^,]*),/.exec(expected)?.[1];
      if (expectedSignature === undefined) throw new Error('SigV4 verifier: the signer produced no signature');

      // Same headers in the same (sorted) order, and the same signature.
      const sameHeaders = expectedSignedHeaders === auth.signedHeaders.join(';');
      const sameSignature = timingSafeEqual(Buffer.from(expectedSignature, 'hex'), Buffer.from(auth.signature, 'hex'));
      if (!sameHeaders || !sameSignature) throw invalidSignature();

      return { accessKeyId: auth.accessKeyId, region: auth.region, service: auth.service };
    },
  };
}

interface ParsedAuthorization {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  /** As listed by the client (lower-case names, in the client's order). */
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string): ParsedAuthorization {
  const trimmed = header.trim();
  const space = trimmed.search(/\s/);
  const scheme = space === -1 ? trimmed : trimmed.slice(0, space);
  if (scheme !== ALGORITHM) {
    throw invalidSignature(
      /^[A-Za-z0-9-]{1,40}$/.test(scheme)
        ? `Unsupported Authorization type '${scheme}': only ${ALGORITHM} is accepted.`
        : `Authorization header must start with '${ALGORITHM}'.`,
    );
  }

  const params = new Map<string, string>();
  const rest = space === -1 ? '' : trimmed.slice(space).trim();
  for (const part of rest === '' ? [] : rest.split(',')) {
    const item = part.trim();
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw invalidSignature(`Authorization header parameters must be 'Key=Value' pairs separated by commas.`);
    const key = item.slice(0, eq);
    if (key !== 'Credential' && key !== 'SignedHeaders' && key !== 'Signature') {
      throw invalidSignature(
        `Authorization header has an unknown parameter; expected only 'Credential', 'SignedHeaders' and 'Signature'.`,
      );
    }
    if (params.has(key)) throw invalidSignature(`Authorization header has parameter '${key}' more than once.`);
    params.set(key, item.slice(eq + 1));
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature']
    .filter((key) => !params.get(key))
    .map((key) => `Authorization header requires '${key}' parameter.`);
  if (missing.length > 0) throw invalidSignature(missing.join(' '));

  const credential = params.get('Credential') ?? '';
  const parts = credential.split('/');
  const [accessKeyId = '', shortDate = '', region = '', service = '', terminator = ''] = parts;
  if (
    parts.length !== 5 ||
    !accessKeyId ||
    !/^\d{8}$/.test(shortDate) ||
    !SCOPE_PART.test(region) ||
    !SCOPE_PART.test(service)
  ) {
    throw invalidSignature(
      `Authorization header 'Credential' must have the form <AccessKeyId>/<YYYYMMDD>/<region>/<service>/${TERMINATOR}.`,
    );
  }
  if (terminator !== TERMINATOR) {
    throw invalidSignature(`Credential should be scoped with a valid terminator: '${TERMINATOR}'.`);
  }
  // AWS's wording, trailing space included.
  if (service !== SERVICE) throw invalidSignature(`Credential should be scoped to correct service: '${SERVICE}'. `);

  const signedHeaders = (params.get('SignedHeaders') ?? '').split(';');
  if (signedHeaders.some((name) => !HEADER_NAME.test(name) || name === '__proto__')) {
    throw invalidSignature(
      "Authorization header 'SignedHeaders' must be a ';'-separated list of lower-case header names.",
    );
  }
  if (!signedHeaders.includes('host')) {
    throw invalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (!signedHeaders.includes(AMZ_DATE)) {
    throw invalidSignature("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (signedHeaders.includes('authorization')) {
    throw invalidSignature("'Authorization' cannot be a 'SignedHeader'.");
  }
  if (signedHeaders.includes('date')) {
    throw invalidSignature("Signing the 'Date' header is not supported; sign 'X-Amz-Date' instead.");
  }

  const signature = params.get('Signature') ?? '';
  if (!HEX_SIGNATURE.test(signature)) {
    throw invalidSignature("Authorization header 'Signature' must be 64 lower-case hexadecimal characters.");
  }
  return { accessKeyId, shortDate, region, service, signedHeaders, signature };
}

/** A header's value as one string (repeated headers joined), or undefined when absent. */
function headerValue(headers: IncomingSignedRequest['headers'], name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined;
  const value = headers[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(',');
  return undefined;
}

function hasPresignQuery(query: IncomingSignedRequest['query']): boolean {
  if (query === undefined) return false;
  return Object.keys(query).some((key) => PRESIGN_QUERY_PARAMS.includes(key.toLowerCase()));
}

/** `20261126T082500Z` → Date, or undefined unless it is exactly that form and a real instant. */
function parseLongDate(value: string): Date | undefined {
  const match = LONG_DATE.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  return formatLongDate(date) === value ? date : undefined;
}

function formatLongDate(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function checkClock(amzDate: string, signingDate: Date, now: Date, skewSeconds: number): void {
  const skewMs = skewSeconds * 1000;
  const nowSeconds = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const skewText = skewSeconds % 60 === 0 ? `${skewSeconds / 60} min.` : `${skewSeconds} sec.`;
  if (signingDate.getTime() < now.getTime() - skewMs) {
    const earliest = formatLongDate(new Date(nowSeconds.getTime() - skewMs));
    throw invalidSignature(
      `Signature expired: ${amzDate} is now earlier than ${earliest} (${formatLongDate(nowSeconds)} - ${skewText})`,
    );
  }
  if (signingDate.getTime() > now.getTime() + skewMs) {
    const latest = formatLongDate(new Date(nowSeconds.getTime() + skewMs));
    throw invalidSignature(
      `Signature not yet current: ${amzDate} is still later than ${latest} (${formatLongDate(nowSeconds)} + ${skewText})`,
    );
  }
}
