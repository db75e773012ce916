// The two workers, as functions the process entry points, the tests and the scripts all call:
// each worker's task queue, activities, interceptors and workflow code are written here once.
import { Worker, type ActivityInterceptorsFactory, type NativeConnection } from '@temporalio/worker';
import { createOrdersActivities } from '../activities/orders.activities.ts';
import { createPaymentsActivities } from '../activities/payments.activities.ts';
import type { Orm } from '../lib/database/open-database.ts';
import { STOP_DEADLINE_MS } from '../lib/main.ts';
import { TASK_QUEUES } from '../workflows/names.ts';
import { countLongRetries } from './attempt-metric.ts';
import { logIds } from './log-ids.ts';
import { workflowBundle } from './workflow-bundle.ts';

export interface WorkerOptions {
  connection: NativeConnection;
  /** The side's database. Its pool's size is the number of activities run at once: each holds a connection. */
  orm: Orm;
  /** The Temporal namespace; the SDK's default if unset. */
  namespace?: string;
  /** Run after the production interceptors: a test or a script that fails or holds an activity at some line. */
  activityInterceptors?: ActivityInterceptorsFactory[];
}

/** The payments worker: the payment workflow (its cached bundle) and the debit activities, on task queue `payments`. */
export async function createPaymentsWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    ...commonOptions(options),
    taskQueue: TASK_QUEUES.payments,
    activities: createPaymentsActivities({ orm: options.orm }),
    workflowBundle: await workflowBundle(),
  });
}

/** The orders worker: the activity that records a payment's outcome on its order, on task queue `orders`. */
export function createOrdersWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    ...commonOptions(options),
    taskQueue: TASK_QUEUES.orders,
    activities: createOrdersActivities({ orm: options.orm }),
  });
}

/**
 * On SIGTERM, what activities under way get to finish before they are cancelled (the SDK's
 * default, 0, cancels them at once). Well inside the process's stop deadline, so the worker can
 * still report their results and close its pool before it is made to exit.
 */
const ACTIVITY_DRAIN_MS = STOP_DEADLINE_MS - 5_000;

function commonOptions({ connection, orm, namespace, activityInterceptors = [] }: WorkerOptions) {
  return {
    connection,
    namespace,
    // More activities at once than connections would only queue them on the pool, timing out there.
    maxConcurrentActivityTaskExecutions: orm.config.get('pool').max,
    shutdownGraceTime: ACTIVITY_DRAIN_MS,
    interceptors: { activity: [countLongRetries(), logIds(), ...activityInterceptors] },
  };
}
