// The two workers, as functions the process entry points, the tests and the scripts all call:
// each worker's task queue, activities, interceptors and workflow code are written here once.
import { Worker, type ActivityInterceptorsFactory, type NativeConnection } from '@temporalio/worker';
import { createOrdersActivities } from '../activities/orders.activities.ts';
import { createPaymentsActivities } from '../activities/payments.activities.ts';
import type { Orm } from '../lib/database/open-database.ts';
import { STOP_DEADLINE_MS } from '../lib/main.ts';
import { tracing } from '../lib/telemetry/tracing.ts';
import { TASK_QUEUES } from '../workflows/names.ts';
import { countLongRetries } from './attempt-metric.ts';
import { logIds } from './log-ids.ts';
import { TRACED_WORKFLOW_SOURCE, workflowBundle, WORKFLOW_SOURCE } from './workflow-bundle.ts';
import { activityTracing, workflowSpanSinks } from './worker-tracing.ts';

export interface WorkerOptions {
  connection: NativeConnection;
  /** The side's database. Its pool's size is the number of activities run at once: each holds a connection. */
  orm: Orm;
  /** The Temporal namespace; the SDK's default if unset. */
  namespace?: string;
  /** Run after the production interceptors: a test or a script that fails or holds an activity at some line. */
  activityInterceptors?: ActivityInterceptorsFactory[];
}

/**
 * Payments the worker keeps in memory between their tasks (its sticky cache). The SDK sizes the
 * cache from V8's heap limit, some 2,300 workflows with a 4 GiB limit, and a cached payment costs
 * about 0.25 MiB: 1,000 payments held open grew the worker from 284 to 530 MiB RSS, and to 330 MiB
 * with this bound. 400 hold a burst of 200 without an eviction; beyond them the least recently
 * used is evicted and replayed from its history at its next task (that backlog of 1,000 drained
 * in 151 s instead of 101 s).
 */
export const PAYMENTS_CACHED_WORKFLOWS = 400;

/** The payments worker: the payment workflow (its cached bundle) and the debit activities, on task queue `payments`. */
export async function createPaymentsWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    ...commonOptions(options),
    taskQueue: TASK_QUEUES.payments,
    activities: createPaymentsActivities({ orm: options.orm }),
    workflowBundle: await workflowBundle(tracing ? TRACED_WORKFLOW_SOURCE : WORKFLOW_SOURCE),
    ...(tracing ? { sinks: workflowSpanSinks(tracing) } : {}),
    maxCachedWorkflows: PAYMENTS_CACHED_WORKFLOWS,
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
    interceptors: { activity: [...(tracing ? [activityTracing] : []), countLongRetries(), logIds(), ...activityInterceptors] },
  };
}
