import { runService } from '../../lib/http/run-service.ts';
import { createOrdersApp } from './app.ts';
import { readOrdersConfig } from './config.ts';
import { openOrdersDatabase } from './database.ts';

await runService({
  name: 'orders',
  readConfig: readOrdersConfig,
  address: (config) => ({ host: config.ORDERS_HOST, port: config.ORDERS_PORT, databaseUrl: config.ORDERS_DATABASE_URL }),
  openDatabase: openOrdersDatabase,
  createApp: createOrdersApp,
});
