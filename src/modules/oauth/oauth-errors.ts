/**
 * The OAuth 2.0 face's errors (docs/web-sign-in.md, "Endpoints"): RFC 6749's names, which the
 * endpoints answer as `{"error": …}` (token, revoke) or as `?error=` on the client's redirect URI
 * (authorize), never as a Cognito exception.
 */

/** RFC 6749's and RFC 7009's error names, and Cognito's own `redirect_mismatch`. */
export type OAuthErrorName =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'unsupported_token_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'login_required'
  | 'redirect_mismatch'
  | 'server_error'
  | 'temporarily_unavailable';

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  /**
   * Authorize only: whether the error may go to the request's redirect URI. An unknown client or
   * a redirect URI not among the client's callback URLs is never redirected to (no open
   * redirect): the browser sees Cognate's error page instead.
   */
  readonly redirect: { uri: string; state?: string; fragment: boolean } | undefined;
  readonly status: number;

  constructor(
    readonly error: OAuthErrorName,
    readonly description: string,
    options: { status?: number; redirect?: { uri: string; state?: string; fragment: boolean } } = {},
  ) {
    super(`${error}: ${description}`);
    this.status = options.status ?? (error === 'server_error' ? 500 : 400);
    this.redirect = options.redirect;
  }

  /** Where an authorize error goes: the redirect URI with `error`, `error_description` and `state`. */
  redirectUrl(): string | undefined {
    if (!this.redirect) return undefined;
    const params = new URLSearchParams({ error: this.error, error_description: this.description });
    if (this.redirect.state !== undefined) params.set('state', this.redirect.state);
    return appendParams(this.redirect.uri, params, this.redirect.fragment);
  }
}

/** The redirect URI with `params` added to its query (code) or set as its fragment (implicit). */
export function appendParams(uri: string, params: URLSearchParams, fragment: boolean): string {
  const url = new URL(uri);
  if (fragment) {
    url.hash = params.toString();
    return url.toString();
  }
  for (const [name, value] of params) url.searchParams.append(name, value);
  return url.toString();
}
