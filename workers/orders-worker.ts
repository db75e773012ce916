// The orders worker process: createOrdersWorker, configured from the environment.
import { openOrdersDatabase } from '../services/orders/database.ts';
import { readOrdersWorkerConfig } from './config.ts';
import { runWorker } from './run-worker.ts';
import { createOrdersWorker } from './worker-factories.ts';

await runWorker({
  name: 'orders-worker',
  readConfig: readOrdersWorkerConfig,
  openDatabase: (config) => openOrdersDatabase(config.ORDERS_DATABASE_URL, config.DATABASE_POOL_SIZE),
  createWorker: createOrdersWorker,
});
