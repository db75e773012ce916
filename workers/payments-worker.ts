// The payments worker process: createPaymentsWorker, configured from the environment.
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { readPaymentsWorkerConfig } from './config.ts';
import { runWorker } from './run-worker.ts';
import { createPaymentsWorker } from './worker-factories.ts';

await runWorker({
  name: 'payments-worker',
  readConfig: readPaymentsWorkerConfig,
  openDatabase: (config) => openPaymentsDatabase(config.PAYMENTS_DATABASE_URL, config.DATABASE_POOL_SIZE),
  createWorker: createPaymentsWorker,
});
