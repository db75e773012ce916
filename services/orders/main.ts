import { runService } from '../../lib/http/run-service.ts';
import { createOrdersApp } from './app.ts';
import { readOrdersConfig } from './config.ts';
import { openOrdersDatabase } from './database.ts';

await runService({
  name: 'orders',
  readConfig: readOrdersConfig,
  listen: (config) => ({
    host: config.ORDERS_HOST,
    port: config.ORDERS_PORT,
    metricsAddress: config.METRICS_ADDRESS,
    logLevel: config.LOG_LEVEL,
    databaseUrl: config.ORDERS_DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
  }),
  openDatabase: openOrdersDatabase,
  createApp: createOrdersApp,
});
