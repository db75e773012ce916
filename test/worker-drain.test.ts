import { setTimeout } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { finalOrder } from '../harness/orders.ts';
import { createRelay, startOrdersWorker, startPaymentsWorker } from '../harness/saga.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { startTemporalDevServer } from '../harness/temporal.ts';

// A worker told to stop (SIGTERM: compose's stop, a deploy) lets the activity it is running
// finish, and reports its result, before it goes: it is not cancelled the moment the drain
// begins. The debit below is held until the drain is under way, then let go.

let temporal: TestWorkflowEnvironment;
let stack: Stack;
beforeAll(async () => {
  [temporal, stack] = await Promise.all([startTemporalDevServer(), startStack()]);
});
afterAll(async () => {
  await stack.stop();
  await temporal.teardown();
});

test('an activity under way when its worker stops runs to the end, uncancelled, and its result counts', async () => {
  let reached: (signal: AbortSignal) => void = () => undefined;
  const debitReached = new Promise<AbortSignal>((resolve) => (reached = resolve));
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const holdDebit: ActivityInterceptorsFactory = (context) => ({
    inbound: {
      async execute(input, next) {
        if (context.info.activityType === 'debit') {
          reached(context.cancellationSignal);
          await released;
        }
        return next(input);
      },
    },
  });
  const paymentsWorker = await startPaymentsWorker(stack, temporal, [holdDebit]);
  const ordersWorker = await startOrdersWorker(stack, temporal);
  const relay = createRelay(stack, temporal);
  await relay.start();
  let stopping: Promise<void> | undefined;
  try {
    const client = await stack.fundedClientFor('drew', 500);
    const placed = await client('POST', '/api/orders', { body: { amount: 300, description: 'drained' } });
    const cancellation = await debitReached;

    stopping = paymentsWorker.stop();
    await setTimeout(1_000);
    expect(cancellation.aborted).toBe(false);
    release();
    await stopping;
    expect(cancellation.aborted).toBe(false);

    // The workflow goes on with the next payments worker, from the debit's recorded result.
    const next = await startPaymentsWorker(stack, temporal);
    try {
      expect((await finalOrder(client, String(placed.body.id))).body).toMatchObject({ status: 'PAID' });
      expect((await client('GET', '/api/account')).body).toMatchObject({ balance: 200 });
    } finally {
      await next.stop();
    }
  } finally {
    release();
    await (stopping ?? paymentsWorker.stop());
    await relay.stop();
    await ordersWorker.stop();
  }
}, 60_000);
