import { runService } from '../../lib/http/run-service.ts';
import { createPaymentsApp } from './app.ts';
import { readPaymentsConfig } from './config.ts';
import { openPaymentsDatabase } from './database.ts';

await runService({
  name: 'payments',
  readConfig: readPaymentsConfig,
  listen: (config) => ({
    host: config.PAYMENTS_HOST,
    port: config.PAYMENTS_PORT,
    metricsAddress: config.METRICS_ADDRESS,
    logLevel: config.LOG_LEVEL,
    databaseUrl: config.PAYMENTS_DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
  }),
  openDatabase: openPaymentsDatabase,
  createApp: createPaymentsApp,
});
