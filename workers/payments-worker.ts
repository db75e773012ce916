// The payments worker: the payment workflow and the debit activity, on task queue `payments`.
import { createPaymentsActivities } from '../activities/payments.activities.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { TASK_QUEUES } from '../workflows/names.ts';
import { readPaymentsWorkerConfig } from './config.ts';
import { runWorker } from './run-worker.ts';

await runWorker(() => {
  const config = readPaymentsWorkerConfig();
  return {
    name: 'payments-worker',
    taskQueue: TASK_QUEUES.payments,
    temporalAddress: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    logLevel: config.LOG_LEVEL,
    metricsAddress: config.METRICS_ADDRESS,
    poolSize: config.DATABASE_POOL_SIZE,
    openDatabase: (poolSize) => openPaymentsDatabase(config.PAYMENTS_DATABASE_URL, poolSize),
    activities: (orm) => createPaymentsActivities({ orm }),
    runsWorkflows: true,
  };
});
