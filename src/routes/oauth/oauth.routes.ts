import type { FastifyInstance } from 'fastify';

/**
 * The OAuth 2.0 / OpenID Connect endpoints at a Cognito domain's paths (docs/web-sign-in.md):
 * /oauth2/authorize, /oauth2/token, /oauth2/revoke, /logout.
 */
export async function oauthRoutes(_fastify: FastifyInstance) {}
