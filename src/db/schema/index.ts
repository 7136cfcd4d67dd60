// Every table, for drizzle-kit and the database client. A module imports only its own file
// (src/db/schema/<module>.ts; `npm run lint` checks it), and asks other modules for the rest.
export * from './pools.ts';
export * from './user-store.ts';
export * from './verification.ts';
export * from './tokens.ts';
export * from './courier.ts';
export * from './audit.ts';
export * from './rate-limits.ts';
export * from './secrets.ts';
export * from './groups.ts';
export * from './hooks.ts';
export * from './sign-in.ts';
export * from './mfa.ts';
export * from './devices.ts';
export * from './import-jobs.ts';
export * from './oauth.ts';
export * from './pool-domains.ts';
export * from './resource-servers.ts';
export * from './branding.ts';
export * from './federation.ts';
