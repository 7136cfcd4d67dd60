// The architecture's rules (CONTRIBUTING.md, "Dependencies flow one way"), checked by `npm run lint`.
// Type-only imports count: a cycle through types is still two modules that cannot be read apart.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'No import cycles, through types or values.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'db-below-modules',
      severity: 'error',
      comment:
        "The database schema and client know nothing of the modules above them, but a module's stored JSON types (its *.types.ts).",
      from: { path: '^src/db/' },
      to: {
        path: '^src/(modules|routes|plugins|schemas|cli)/|^src/(app|services|server|config)[.]ts$',
        pathNot: '^src/modules/[^/]+/[^/]+[.]types[.]ts$',
      },
    },
    {
      name: 'types-are-leaves',
      severity: 'error',
      comment:
        "A module's *.types.ts holds types only and imports only other *.types.ts: the database schema may use them.",
      from: { path: '^src/modules/[^/]+/[^/]+[.]types[.]ts$' },
      to: { path: '^src/', pathNot: '^src/modules/[^/]+/[^/]+[.]types[.]ts$' },
    },
    {
      name: 'modules-below-the-faces',
      severity: 'error',
      comment: 'Modules know nothing of HTTP, Fastify, the environment or the composition root.',
      from: { path: '^src/modules/' },
      to: {
        path: '^src/(routes|plugins|schemas|cli)/|^src/(app|services|server|config)[.]ts$|^node_modules/(fastify|@fastify)/',
      },
    },
    {
      name: 'routes-ask-services',
      severity: 'error',
      comment: 'Routes are thin adapters: no database access of their own.',
      from: { path: '^src/(routes|plugins)/' },
      to: { path: '^src/db/schema/|^node_modules/(drizzle-orm|pg|@electric-sql)/' },
    },
    {
      name: 'own-tables-only',
      severity: 'error',
      comment:
        "A module reads and writes only its own tables (src/db/schema/<module>.ts); it asks another module's service or repository for the rest.",
      // The one exception: an authenticated request reads its session, user, attributes and the
      // client's and pool's row versions in one joined round trip (a fifth of its work when it was
      // several), so the session lookup joins the user-store and pools tables.
      from: { path: '^src/modules/([^/]+)/', pathNot: '^src/modules/tokens/sessions[.]service[.]ts$' },
      to: { path: '^src/db/schema/', pathNot: ['^src/db/schema/$1[.]ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
