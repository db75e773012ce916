// The orders worker: the activity that records a payment's outcome on its order, on task queue `orders`.
import { createOrdersActivities } from '../activities/orders.activities.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { TASK_QUEUES } from '../workflows/names.ts';
import { readOrdersWorkerConfig } from './config.ts';
import { runWorker } from './run-worker.ts';

await runWorker(() => {
  const config = readOrdersWorkerConfig();
  return {
    name: 'orders-worker',
    taskQueue: TASK_QUEUES.orders,
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    logLevel: config.LOG_LEVEL,
    metricsAddress: config.METRICS_ADDRESS,
    poolSize: config.DATABASE_POOL_SIZE,
    openDatabase: (poolSize) => openOrdersDatabase(config.ORDERS_DATABASE_URL, poolSize),
    activities: (orm) => createOrdersActivities({ orm }),
    runsWorkflows: false,
  };
});
