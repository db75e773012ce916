import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { paymentWorkflowId } from '../workflows/names.ts';
import { paymentWorkflow } from '../workflows/payment.workflow.ts';
import { readBooks } from './helpers/books.ts';
import { finalOrder } from './helpers/orders.ts';
import { createRelay, startOrdersWorker, startPaymentsWorker, type RunningWorker } from './helpers/saga.ts';
import { startStack, type Stack } from './helpers/stack.ts';
import { startTemporalDevServer } from './helpers/temporal.ts';

let temporal: TestWorkflowEnvironment;
let stack: Stack;
let workers: RunningWorker[];
beforeAll(async () => {
  [temporal, stack] = await Promise.all([startTemporalDevServer(), startStack()]);
  workers = await Promise.all([startPaymentsWorker(stack, temporal), startOrdersWorker(stack, temporal)]);
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await stack.stop();
  await temporal.teardown();
});

test("the relay's start of a payment that already completed is refused (REJECT_DUPLICATE): no second run", async () => {
  const wendy = await stack.fundedClientFor('wendy', 500);
  const placed = await wendy('POST', '/api/orders', { body: { amount: 200, description: 'once' } });
  const relay = createRelay(stack, temporal);
  while ((await relay.publishBatch()) > 0);
  expect((await finalOrder(wendy, placed.body.id)).body.status).toBe('PAID');
  const handle = temporal.client.workflow.getHandle(paymentWorkflowId(placed.body.id));
  await handle.result();
  const first = await handle.describe();
  expect(first.status.name).toBe('COMPLETED');

  // The row comes round again (a relay died before marking it, an operator re-armed it): the
  // relay starts the payment once more, and Temporal must refuse a new run of a completed one.
  await stack.ordersOrm.em.fork().execute('update outbox_messages set published_at = null where aggregate_id = ?', [placed.body.id]);
  expect(await relay.publishBatch()).toBe(1);

  const latest = await temporal.client.workflow.getHandle(paymentWorkflowId(placed.body.id)).describe();
  expect(latest.runId).toBe(first.runId);
  expect(latest.status.name).toBe('COMPLETED');
  expect((await readBooks(stack.paymentsOrm, 'wendy')).balance).toBe(300);
});

test("the relay's start of a payment whose run was terminated is refused too: re-arming a failed run is the reconciler's call", async () => {
  const xena = await stack.fundedClientFor('xena', 500);
  const placed = await xena('POST', '/api/orders', { body: { amount: 200, description: 'ended by hand' } });
  // A run of this payment that no worker picks up, ended by hand: closed, but not completed.
  const workflowId = paymentWorkflowId(placed.body.id);
  const ended = await temporal.client.workflow.start(paymentWorkflow, { taskQueue: 'nobody-polls-this', workflowId, args: [{ orderId: placed.body.id, userId: 'xena', amount: 200, currency: 'USD' }] });
  await ended.terminate('test');

  const relay = createRelay(stack, temporal);
  while ((await relay.publishBatch()) > 0);

  const latest = await temporal.client.workflow.getHandle(workflowId).describe();
  expect(latest.runId).toBe(ended.firstExecutionRunId);
  expect(latest.status.name).toBe('TERMINATED');
  expect((await readBooks(stack.paymentsOrm, 'xena')).balance).toBe(500);
});
