import { buildApp } from './app.ts';
import { createLogger } from './lib/log.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { startDeliveryWorker } from './modules/courier/delivery-worker.ts';
import { bootstrapPools } from './modules/pools/bootstrap.ts';
import { createServices } from './services.ts';

/** Entry point: configuration, database and migrations, services, the HTTP server, graceful close. */
async function main() {
  // performance.now() counts from the process's start: until here, Node started and loaded the modules.
  const loaded = performance.now();
  const config = loadConfig();
  const database = await openDatabase(config.database);
  const opened = performance.now();
  await database.migrate();
  const migrated = performance.now();

  const logger = createLogger(config.logLevel);
  const services = await createServices(config, database, logger);
  const app = await buildApp({
    services,
    logger,
    trustProxy: config.trustProxy,
    ...(config.metricsToken !== undefined && { metricsToken: config.metricsToken }),
    ...(config.tls && { https: config.tls }),
  });

  const bootstrapped = await bootstrapPools(services.pools, { poolsFile: config.poolsFile });
  await app.listen({ port: config.port, host: config.host });
  // Ends import jobs a stopped server left, and runs those started but never claimed (docs/user-import.md).
  void services.importJobs.start();
  const listening = performance.now();
  // Retries what the requests' immediate sends could not deliver; off when `npm run worker` does it.
  const worker = config.deliveryWorker ? startDeliveryWorker(services.outbox, { logger }) : undefined;

  const lines = [
    `Cognate is listening on ${config.publicUrl}`,
    `Database: ${config.database.kind === 'pglite' ? `embedded PGlite in ${config.database.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
    ...bootstrapped.flatMap(({ pool, clients, created }) => [
      `Pool "${pool.name}"${created ? ' (created now)' : ''}: poolId=${pool.id}`,
      ...clients.map((c) => `  client "${c.name}": clientId=${c.id}`),
    ]),
    services.adminKey.generatedKey
      ? `Admin API key (shown once, stored only as a hash): ${services.adminKey.generatedKey}`
      : config.adminApiKey
        ? 'Admin API key: from ADMIN_API_KEY'
        : 'Admin API key: the one printed at first start (set ADMIN_API_KEY to choose your own)',
    ...(config.smtpUrl
      ? []
      : ['WARNING: SMTP_URL is unset: verification codes are written to this log, not delivered.']),
    `Delivery worker: ${config.deliveryWorker ? 'in this process' : 'off (DELIVERY_WORKER=false; run `npm run worker`)'}`,
    `API reference: ${config.publicUrl}/docs`,
    `Started in ${seconds(listening)} (modules ${seconds(loaded)}, database ${seconds(opened - loaded)}, migrations ${seconds(migrated - opened)}, app and pools ${seconds(listening - migrated)})`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n\n`);

  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await worker?.stop();
    await services.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void close('SIGINT'));
  process.on('SIGTERM', () => void close('SIGTERM'));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

main().catch((error) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else
    process.stderr.write(
      `Cognate failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  process.exit(1);
});
