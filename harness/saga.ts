import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityInterceptorsFactory, Worker } from '@temporalio/worker';
import { OutboxRelay, type OutboxRelayOptions } from '../services/orders/outbox/outbox-relay.ts';
import { createOrdersWorker, createPaymentsWorker } from '../workers/worker-factories.ts';
import { testLogger, type Stack } from './stack.ts';

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
  const worker = await createPaymentsWorker({
    connection: temporal.nativeConnection,
    orm: stack.paymentsOrm,
    activityInterceptors: interceptors,
  });
  return run(worker);
}

export async function startOrdersWorker(stack: Stack, temporal: TestWorkflowEnvironment, interceptors: ActivityInterceptorsFactory[] = []): Promise<RunningWorker> {
  return run(await createOrdersWorker({ connection: temporal.nativeConnection, orm: stack.ordersOrm, activityInterceptors: interceptors }));
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
  await relay?.start();
  return {
    async stop() {
      await relay?.stop();
      await Promise.all(workers.map((worker) => worker.stop()));
    },
  };
}
