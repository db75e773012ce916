import { forgetOldIdempotencyKeys } from '../../lib/idempotency/forget-old-keys.ts';
import { serve } from '../../lib/http/server.ts';
import { createLogger } from '../../lib/logger.ts';
import { runMain } from '../../lib/main.ts';
import { createPaymentsApp } from './app.ts';
import { readPaymentsConfig } from './config.ts';
import { openPaymentsDatabase } from './database.ts';

await runMain(async () => {
  const config = readPaymentsConfig();
  const logger = createLogger('payments', config.LOG_LEVEL);
  const orm = await openPaymentsDatabase(config.PAYMENTS_DATABASE_URL);
  const server = await serve(createPaymentsApp(orm, config, logger), config.PAYMENTS_HOST, config.PAYMENTS_PORT);
  const sweep = setInterval(() => {
    forgetOldIdempotencyKeys(orm.em).catch((error: unknown) => logger.warn({ err: error }, 'idempotency sweep failed'));
  }, 3_600_000);
  logger.info({ url: server.url }, 'payments service listening');
  return {
    logger,
    stop: async () => {
      clearInterval(sweep);
      await server.close();
      await orm.close();
    },
  };
});
