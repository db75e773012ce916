import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type ActivityInterceptorsFactory, type WorkflowBundle } from '@temporalio/worker';
import { createOrdersActivities } from '../../activities/orders.activities.ts';
import { createPaymentsActivities } from '../../activities/payments.activities.ts';
import { OutboxRelay, type OutboxRelayOptions } from '../../services/orders/outbox/outbox-relay.ts';
import { countLongRetries } from '../../workers/attempt-metric.ts';
import { WORKFLOWS_PATH } from '../../workers/run-worker.ts';
import { TASK_QUEUES } from '../../workflows/names.ts';
import { startStack, testLogger, type Stack } from './stack.ts';
import { startTemporalDevServer } from '../../harness/temporal.ts';

let bundle: Promise<WorkflowBundle> | undefined;

/** The workflow code, bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  return bundle;
}

export interface RunningWorker {
  stop(): Promise<void>;
}

function run(worker: Worker): RunningWorker {
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}

/** The payments worker; a test that needs to stop a debit at some line adds its own interceptors. */
export async function startPaymentsWorker(stack: Stack, temporal: TestWorkflowEnvironment, interceptors: ActivityInterceptorsFactory[] = []): Promise<RunningWorker> {
  return run(
    await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue: TASK_QUEUES.payments,
      workflowBundle: await workflowBundle(),
      activities: createPaymentsActivities({ orm: stack.paymentsOrm }),
      interceptors: { activity: [countLongRetries(), ...interceptors] },
    }),
  );
}

export async function startOrdersWorker(stack: Stack, temporal: TestWorkflowEnvironment): Promise<RunningWorker> {
  return run(
    await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue: TASK_QUEUES.orders,
      activities: createOrdersActivities({ orm: stack.ordersOrm }),
      interceptors: { activity: [countLongRetries()] },
    }),
  );
}

export function createRelay(stack: Stack, temporal: TestWorkflowEnvironment, options: Partial<OutboxRelayOptions> = {}): OutboxRelay {
  return new OutboxRelay({
    orm: stack.ordersOrm,
    temporal: temporal.client,
    logger: testLogger,
    databaseUrl: stack.ordersDatabaseUrl,
    batchSize: 50,
    pollIntervalMs: 500,
    maxAttempts: 30,
    ...options,
  });
}

/** Both workers and, unless a test moves the outbox itself, one running relay: the whole saga. */
export async function startSaga(stack: Stack, temporal: TestWorkflowEnvironment, options: { relay?: boolean } = {}): Promise<{ stop(): Promise<void> }> {
  const workers = await Promise.all([startPaymentsWorker(stack, temporal), startOrdersWorker(stack, temporal)]);
  const relay = options.relay === false ? undefined : createRelay(stack, temporal);
  relay?.start();
  return {
    async stop() {
      await relay?.stop();
      await Promise.all(workers.map((worker) => worker.stop()));
    },
  };
}

export interface RunningShop {
  temporal: TestWorkflowEnvironment;
  stack: Stack;
}

/**
 * For a test file: a Temporal dev server, the services and gateway, both workers and (unless
 * `relay: false`) a relay,
 * started before its tests and stopped after them. Read the fields inside tests, not before.
 */
export function useRunningShop(options: { relay?: boolean } = {}): RunningShop {
  const shop = {} as RunningShop;
  let saga: { stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    [shop.temporal, shop.stack] = await Promise.all([startTemporalDevServer(), startStack()]);
    saga = await startSaga(shop.stack, shop.temporal, options);
  });
  afterAll(async () => {
    await saga?.stop();
    await shop.stack.stop();
    await shop.temporal.teardown();
  });
  return shop;
}
