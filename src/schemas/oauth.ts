import { Type, type TSchema } from 'typebox';

/**
 * The OAuth 2.0 endpoints' parameters and answers (docs/web-sign-in.md, "Endpoints"). Every
 * parameter is optional here: which are required, and the error a missing one gets (RFC 6749's
 * names, or a redirect with `?error=`), is the endpoint's to say. Unknown parameters are ignored,
 * as RFC 6749 asks.
 */
const text = (description: string) => Type.Optional(Type.String({ description }));

const params = <P extends Record<string, TSchema>>(properties: P, $id?: string) =>
  Type.Object(properties, { additionalProperties: true, ...($id !== undefined && { $id }) });

export const AuthorizeQuery = params({
  response_type: text('`code` (authorization code grant) or `token` (implicit grant).'),
  client_id: text('The app client.'),
  redirect_uri: text('One of the client’s callback URLs, exactly; default: its DefaultRedirectURI.'),
  state: text('Returned unchanged with the code, the tokens or the error.'),
  scope: text('Space-separated scopes the client allows; none: all of them.'),
  nonce: text('Copied into the ID token.'),
  code_challenge: text('PKCE: BASE64URL(SHA-256(code_verifier)).'),
  code_challenge_method: text('PKCE: `S256` (the only method taken).'),
  identity_provider: text(
    '`COGNITO`: the pool’s own users (the managed login pages); a provider’s name: straight to that provider’s sign-in.',
  ),
  idp_identifier: text('One of a provider’s IdpIdentifiers: straight to that provider’s sign-in.'),
  lang: text('The managed login pages’ language.'),
  prompt: text(
    '`login`: sign in again even with a live login session; `none`: never show a page (no live session: `error=login_required`).',
  ),
  max_age: text('Seconds: a login session older than this signs in again.'),
});

export const LogoutQuery = params({
  client_id: text('The app client.'),
  logout_uri: text('One of the client’s sign-out URLs, exactly: where the browser goes.'),
  redirect_uri: text('With response_type: sign in again (back to the login page).'),
  response_type: text('With redirect_uri: `code` or `token`.'),
  state: text('Passed on with redirect_uri.'),
  scope: text('Passed on with redirect_uri.'),
});

export const OAuthTokenForm = params(
  {
    grant_type: text('`authorization_code`, `refresh_token` or `client_credentials`.'),
    client_id: text('The app client (a public client’s only credential; optional with HTTP Basic).'),
    client_secret: text('client_secret_post: the client’s secret (or send HTTP Basic instead).'),
    code: text('authorization_code: the code from the redirect.'),
    redirect_uri: text('authorization_code: the redirect_uri the code was issued for.'),
    code_verifier: text('authorization_code: the PKCE verifier, when the code was asked with a challenge.'),
    refresh_token: text('refresh_token: a refresh token of the client.'),
    scope: text('client_credentials: space-separated custom scopes; none: all the client allows.'),
  },
  'OAuthTokenForm',
);

export const OAuthRevokeForm = params(
  {
    token: text('The refresh token to revoke (and every access token issued from it).'),
    client_id: text('The app client (a public client’s only credential; optional with HTTP Basic).'),
    client_secret: text('client_secret_post: the client’s secret (or send HTTP Basic instead).'),
  },
  'OAuthRevokeForm',
);

export const OAuthTokenResponse = Type.Object(
  {
    access_token: Type.String(),
    id_token: Type.Optional(Type.String({ description: 'Only when the session has the openid scope.' })),
    refresh_token: Type.Optional(Type.String({ description: 'authorization_code only.' })),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds the access token lives.' }),
  },
  { $id: 'OAuthTokenResponse', additionalProperties: false },
);

export const OAuthErrorBody = Type.Object(
  {
    error: Type.String({
      description:
        'RFC 6749’s name: invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope, unsupported_token_type, server_error.',
    }),
    error_description: Type.Optional(Type.String()),
  },
  { $id: 'OAuthError', additionalProperties: false },
);

/** /oauth2/idpresponse: what an external identity provider sends back (docs/federation.md, "Signing in"). */
const idpResponseMembers = {
  code: text('The provider’s authorization code.'),
  state: text('The state Cognate sent the provider.'),
  error: text('The provider’s error (the user declined, …).'),
  error_description: text('The provider’s words for it.'),
  user: text('Sign in with Apple’s name and email, at a first sign-in only.'),
};
export const IdpResponseQuery = params(idpResponseMembers);
/** The same members as a form (Sign in with Apple's response_mode=form_post). */
export const IdpResponseForm = params(idpResponseMembers, 'OAuthIdpResponseForm');
