import { stringify } from 'yaml';
import { buildApp } from './app.ts';
import type { Services } from './services.ts';

/**
 * The OpenAPI document as the routes declare it. Building it needs the routes, not the
 * services behind them, so they are stood in for by a stub that refuses to be called.
 */
export async function openApiYaml(): Promise<string> {
  const refuse = (): never => {
    throw new Error('services are not available while generating openapi.yaml');
  };
  // Each service answers every member with `refuse`; `then` stays undefined so nothing takes it for a promise.
  const service = () => new Proxy({}, { get: (_, key) => (key === 'then' ? undefined : refuse) });
  const stub = {
    database: service(),
    pools: service(),
    sessions: service(),
    users: service(),
    adminKey: service(),
    close: async () => {},
  };
  const app = await buildApp({ services: stub as unknown as Services });
  await app.ready();
  // Written from the JSON document (what /openapi.json serves) with every repeated object spelled
  // out: @fastify/swagger's own YAML turns them into anchors and aliases, which generators mishandle.
  const document = app.swagger();
  await app.close();
  return stringify(document, { aliasDuplicateObjects: false });
}
