import { paymentWorkflowId } from '../workflows/names.ts';
import { paymentWorkflow } from '../workflows/payment.workflow.ts';
import { readBooks } from './helpers/books.ts';
import { finalOrder } from '../harness/orders.ts';
import { createRelay } from '../harness/saga.ts';
import { useRunningShop } from './helpers/running-shop.ts';

// No relay of its own runs: each test runs the relay's start by hand.
const shop = useRunningShop({ relay: false });

test("the relay's start of a payment that already completed is refused (REJECT_DUPLICATE): no second run", async () => {
  const wendy = await shop.stack.fundedClientFor('wendy', 500);
  const placed = await wendy('POST', '/api/orders', { body: { amount: 200, description: 'once' } });
  const relay = createRelay(shop.stack, shop.temporal);
  while ((await relay.publishBatch()) > 0);
  expect((await finalOrder(wendy, placed.body.id)).body.status).toBe('PAID');
  const handle = shop.temporal.client.workflow.getHandle(paymentWorkflowId(placed.body.id));
  await handle.result();
  const first = await handle.describe();
  expect(first.status.name).toBe('COMPLETED');

  // The row comes round again (a relay died before marking it, an operator re-armed it): the
  // relay starts the payment once more, and Temporal must refuse a new run of a completed one.
  await shop.stack.ordersOrm.em.fork().execute('update outbox_messages set published_at = null where aggregate_id = ?', [placed.body.id]);
  expect(await relay.publishBatch()).toBe(1);

  const latest = await shop.temporal.client.workflow.getHandle(paymentWorkflowId(placed.body.id)).describe();
  expect(latest.runId).toBe(first.runId);
  expect(latest.status.name).toBe('COMPLETED');
  expect((await readBooks(shop.stack.paymentsOrm, 'wendy')).balance).toBe(300);
});

test("the relay's start of a payment whose run was terminated is refused too: re-arming a failed run is the reconciler's call", async () => {
  const xena = await shop.stack.fundedClientFor('xena', 500);
  const placed = await xena('POST', '/api/orders', { body: { amount: 200, description: 'ended by hand' } });
  // A run of this payment that no worker picks up, ended by hand: closed, but not completed.
  const workflowId = paymentWorkflowId(placed.body.id);
  const ended = await shop.temporal.client.workflow.start(paymentWorkflow, { taskQueue: 'nobody-polls-this', workflowId, args: [{ orderId: placed.body.id, userId: 'xena', amount: 200, currency: 'USD' }] });
  await ended.terminate('test');

  const relay = createRelay(shop.stack, shop.temporal);
  while ((await relay.publishBatch()) > 0);

  const latest = await shop.temporal.client.workflow.getHandle(workflowId).describe();
  expect(latest.runId).toBe(ended.firstExecutionRunId);
  expect(latest.status.name).toBe('TERMINATED');
  expect((await readBooks(shop.stack.paymentsOrm, 'xena')).balance).toBe(500);
});
