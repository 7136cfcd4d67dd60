import type { FastifyInstance } from 'fastify';

/** The managed login pages at Cognito's paths (docs/web-sign-in.md): /login, /signup, /confirmUser, /forgotPassword, … */
export async function managedLoginRoutes(_fastify: FastifyInstance) {}
