import { loadConfig, ConfigError } from '../config.ts';
import { openDatabase } from '../db/client.ts';
import { createLogger } from '../lib/log.ts';
import {
  createCourierFromConfig,
  createCustomMessages,
  createOutbox,
  startDeliveryWorker,
} from '../modules/courier/index.ts';
import { createHooks } from '../modules/hooks/hooks.ts';
import { createPoolsService } from '../modules/pools/pools.service.ts';
import { firstSigningKey } from '../modules/tokens/key-store.ts';
import { loadCodeHmacSecret } from '../modules/secrets/server-secrets.ts';

/**
 * `npm run worker`: the delivery worker alone, next to servers started with DELIVERY_WORKER=false
 * (or not: claims skip rows another worker holds, so any number can run). It does not migrate:
 * the server does, and a worker on an older schema must not touch a newer database.
 */
try {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config.database);
  await database.ready();
  const { db } = database;
  // Built as the server builds it (src/services.ts): SMTP, Twilio, the log only where allowed.
  const courier = await createCourierFromConfig({
    ...config,
    allowLogDelivery: !config.production || config.allowLogDelivery,
    logger,
  });
  const secret = await loadCodeHmacSecret(db, config.codeHmacSecret);
  const pools = createPoolsService({ db, region: config.region, publicUrl: config.publicUrl, firstSigningKey });
  const hooks = createHooks({ db, secret, region: config.region, arns: config.hookArns, logger });
  const outbox = createOutbox({
    db,
    courier,
    secret,
    logger,
    // The pool's templates (and translations), so a retry reads as the first try did.
    templates: pools.messageTemplates,
    // The pool's CustomMessage hook is asked again before a retry (docs/trigger-events.md).
    customMessage: createCustomMessages({ db, hooks, pool: (id) => pools.getPool(id), logger }),
    policy: { baseDelayMs: config.deliveryRetryBaseMs, maxAttempts: config.deliveryMaxAttempts },
  });
  const worker = startDeliveryWorker(outbox, { logger });
  logger.info({ database: config.database.kind }, 'delivery worker started');

  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'delivery worker stopping');
    await worker.stop();
    await courier.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void close('SIGINT'));
  process.on('SIGTERM', () => void close('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else
    process.stderr.write(
      `The delivery worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  process.exit(1);
}
