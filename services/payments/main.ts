import { runService } from '../../lib/http/run-service.ts';
import { createPaymentsApp } from './app.ts';
import { readPaymentsConfig } from './config.ts';
import { openPaymentsDatabase } from './database.ts';

await runService({
  name: 'payments',
  readConfig: readPaymentsConfig,
  address: (config) => ({ host: config.PAYMENTS_HOST, port: config.PAYMENTS_PORT, databaseUrl: config.PAYMENTS_DATABASE_URL }),
  openDatabase: openPaymentsDatabase,
  createApp: createPaymentsApp,
});
