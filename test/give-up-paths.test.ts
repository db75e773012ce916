import { Migrator } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createPaymentsActivities } from '../activities/payments.activities.ts';
import { asDelivered } from './helpers/activity-context.ts';
import { paymentsEntities } from '../services/payments/database.ts';
import { debitMessageId } from '../services/payments/inbox/debit.ts';
import { startPayment } from '../services/orders/outbox/start-payment.ts';
import { Reconciler } from '../services/orders/reconcile/reconciler.ts';
import { countLongRetries } from '../workers/attempt-metric.ts';
import { paymentWorkflowId } from '../workflows/names.ts';
import type { PaymentRequest } from '../workflows/payment.types.ts';
import { readBooks } from './helpers/books.ts';
import { finalOrder } from '../harness/orders.ts';
import { startOrdersWorker, startPaymentsWorker, type RunningWorker } from '../harness/saga.ts';
import { startStack, testLogger, type Client as UserClient, type Stack } from '../harness/stack.ts';
import { startTemporalDevServer, workerRuntime } from '../harness/temporal.ts';

// The paths on which the saga gives up or is picked up again, run for real with the deadline
// shrunk through the workflow's input. The payments worker here debits through a database that
// is down (nothing listens on port 9) and does everything else through the real one: a payments
// outage that outlasts the debit's deadline and is over by the time the debit is voided.

let temporal: TestWorkflowEnvironment;
let stack: Stack;
let deadOrm: MikroORM;
let workers: RunningWorker[];
beforeAll(async () => {
  [temporal, stack] = await Promise.all([startTemporalDevServer(), startStack()]);
  deadOrm = new MikroORM({ clientUrl: 'postgres://nobody:nothing@127.0.0.1:9/payments', entities: paymentsEntities, extensions: [Migrator], allowGlobalContext: false });
  const down = createPaymentsActivities({ orm: deadOrm });
  workers = [
    await startPaymentsWorker(stack, temporal, [
      // Past the first attempt counts as long here, so the short outage below shows in the metric.
      countLongRetries(1),
      (context) => ({
        inbound: {
          execute(input, next) {
            return context.info.activityType === 'debit' ? down.debit(input.args[0] as PaymentRequest) : next(input);
          },
        },
      }),
    ]),
    await startOrdersWorker(stack, temporal),
  ];
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await deadOrm.close();
  await stack.stop();
  await temporal.teardown();
});

async function placeOrder(client: UserClient, userId: string, amount: number): Promise<PaymentRequest> {
  const answer = await client('POST', '/api/orders', { body: { amount, description: 'give-up test' } });
  expect(answer.status).toBe(202);
  return { orderId: answer.body.id, userId, amount, currency: 'USD' };
}

async function inboxOutcome(orderId: string): Promise<string | undefined> {
  const [row] = await stack.paymentsOrm.em.fork().execute<{ outcome: string }[]>('select outcome from inbox_messages where message_id = ?', [debitMessageId(orderId)]);
  return row?.outcome;
}

test('a debit that cannot run before its deadline is voided: the order is cancelled as PAYMENT_ABANDONED, and a late delivery debits nothing', async () => {
  const ezra = await stack.fundedClientFor('ezra', 1_000);
  const request = await placeOrder(ezra, 'ezra', 300);
  await startPayment(temporal.client, { ...request, debitDeadlineSeconds: 3 });

  expect((await finalOrder(ezra, request.orderId, 30_000)).body).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_ABANDONED' });
  expect(await temporal.client.workflow.getHandle(paymentWorkflowId(request.orderId)).result()).toBe('VOID');
  expect(await inboxOutcome(request.orderId)).toBe('VOID');

  // The payments database is back and the debit is delivered late: the void stands.
  const real = asDelivered(createPaymentsActivities({ orm: stack.paymentsOrm }));
  expect(await real.debit(request)).toBe('VOID');
  expect(await readBooks(stack.paymentsOrm, 'ezra')).toEqual({ balance: 1_000, ledgerTotal: 1_000, ledgerEntries: 1 });

  // The retries showed in the workers' metrics, for the ActivityRetryingLong alert.
  const metrics = await fetch((await workerRuntime()).metricsUrl).then((answer) => answer.text());
  expect(metrics).toMatch(/^activity_attempts_over_threshold\{[^}]*activityType="debit"[^}]*\} [1-9]/m);
});

test('a void that comes after the debit got through answers PAID, so the order is paid, never cancelled with the money gone', async () => {
  await stack.fundedClientFor('fay', 1_000);
  const request: PaymentRequest = { orderId: crypto.randomUUID(), userId: 'fay', amount: 250, currency: 'USD' };
  const real = asDelivered(createPaymentsActivities({ orm: stack.paymentsOrm }));
  expect(await real.debit(request)).toBe('PAID');
  expect(await real.voidDebit(request)).toBe('PAID');
  expect(await inboxOutcome(request.orderId)).toBe('PAID');
  expect((await readBooks(stack.paymentsOrm, 'fay')).balance).toBe(750);
});

test('once decided, the outcome is reported without an attempt cap, and the debit is bounded by its deadline, not by attempts', async () => {
  const gus = await stack.fundedClientFor('gus', 1_000);
  const request = await placeOrder(gus, 'gus', 100);
  await startPayment(temporal.client, { ...request, debitDeadlineSeconds: 2 });
  await finalOrder(gus, request.orderId);

  const history = await temporal.client.workflow.getHandle(paymentWorkflowId(request.orderId)).fetchHistory();
  const scheduled = new Map(
    (history.events ?? []).flatMap((event) => {
      const attributes = event.activityTaskScheduledEventAttributes;
      return attributes?.activityType?.name ? [[attributes.activityType.name, attributes] as const] : [];
    }),
  );
  // 0: no limit.
  expect(scheduled.get('completeOrder')?.retryPolicy?.maximumAttempts ?? 0).toBe(0);
  expect(scheduled.get('debit')?.retryPolicy?.maximumAttempts ?? 0).toBe(0);
  expect(Number(scheduled.get('debit')?.scheduleToCloseTimeout?.seconds)).toBe(2);
});

describe('the reconciler', () => {
  const reconciler = () => new Reconciler({ orm: stack.ordersOrm, temporal: temporal.client, logger: testLogger, olderThanMs: 0, intervalMs: 60_000 });
  // Published, as the relay leaves it; the payment a re-armed run makes gets a short deadline, so
  // that through this file's debit outage it runs to its end (voided) within the test.
  const published = (orderId: string) =>
    stack.ordersOrm.em
      .fork()
      .execute(`update outbox_messages set published_at = now(), payload = payload || '{"debitDeadlineSeconds": 2}' where aggregate_id = ?`, [orderId]);

  test('starts again the payment of an order left NEW whose workflow is missing (never started, or forgotten)', async () => {
    const hana = await stack.clientFor('hana');
    const request = await placeOrder(hana, 'hana', 10);
    await published(request.orderId);

    const { rearmed } = await reconciler().reconcileOnce();
    expect(rearmed).toContain(request.orderId);
    expect((await finalOrder(hana, request.orderId)).body).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_ABANDONED' });
  });

  test('starts again the payment of an order left NEW by a workflow that was terminated, and leaves running ones alone', async () => {
    const ivan = await stack.clientFor('ivan');
    const request = await placeOrder(ivan, 'ivan', 10);
    await published(request.orderId);
    // A run that never got anywhere (no worker polls its queue), then terminated by hand.
    const handle = await temporal.client.workflow.start('paymentWorkflow', { taskQueue: 'nowhere', workflowId: paymentWorkflowId(request.orderId), args: [request] });
    expect((await reconciler().reconcileOnce()).rearmed).not.toContain(request.orderId);
    await handle.terminate('lost');

    expect((await reconciler().reconcileOnce()).rearmed).toContain(request.orderId);
    expect((await finalOrder(ivan, request.orderId)).body).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_ABANDONED' });
  });

  test('reports, and does not start again, an order whose workflow failed on a conflict', async () => {
    const kai = await stack.clientFor('kai');
    const request = await placeOrder(kai, 'kai', 10);
    await published(request.orderId);
    // The inbox already holds this debit with another amount: voiding it meets the mismatch.
    await stack.paymentsOrm.em
      .fork()
      .execute(`insert into inbox_messages (message_id, outcome, user_id, amount, currency, received_at) values (?, 'NO_ACCOUNT', 'kai', 99, 'USD', now())`, [
        debitMessageId(request.orderId),
      ]);
    await startPayment(temporal.client, { ...request, debitDeadlineSeconds: 1 });
    await expect(temporal.client.workflow.getHandle(paymentWorkflowId(request.orderId)).result()).rejects.toThrow();

    const { rearmed, reported } = await reconciler().reconcileOnce();
    expect(reported).toContain(request.orderId);
    expect(rearmed).not.toContain(request.orderId);
  });

  test('does not report an order that its workflow finished while the reconciler was looking', async () => {
    const olga = await stack.clientFor('olga');
    const request = await placeOrder(olga, 'olga', 10);
    await published(request.orderId);
    await startPayment(temporal.client, { ...request, debitDeadlineSeconds: 1 });
    const { body: final } = await finalOrder(olga, request.orderId);
    // The reconciler reads the order as NEW; the run then moves it and completes, just before describe.
    await stack.ordersOrm.em.fork().execute(`update orders set status = 'NEW', failure_reason = null where id = ?`, [request.orderId]);
    const racing = new Client({
      connection: temporal.connection,
      interceptors: {
        workflow: [
          {
            async describe(input, next) {
              await stack.ordersOrm.em
                .fork()
                .execute('update orders set status = ?, failure_reason = ? where id = ?', [final.status, final.failureReason, request.orderId]);
              return next(input);
            },
          },
        ],
      },
    });
    const { reported } = await new Reconciler({ orm: stack.ordersOrm, temporal: racing, logger: testLogger, olderThanMs: 0, intervalMs: 60_000 }).reconcileOnce();
    expect(reported).not.toContain(request.orderId);
  });

  test('gives a re-armed payment only what is left of the deadline, counted from the order: an order older than it is voided at once', async () => {
    const nora = await stack.clientFor('nora');
    const request = await placeOrder(nora, 'nora', 10);
    // Placed seven hours ago, its workflow lost since; published without a deadline of its own (6 h).
    await stack.ordersOrm.em.fork().execute(`update orders set created_at = now() - interval '7 hours' where id = ?`, [request.orderId]);
    await stack.ordersOrm.em.fork().execute('update outbox_messages set published_at = now() where aggregate_id = ?', [request.orderId]);

    expect((await reconciler().reconcileOnce()).rearmed).toContain(request.orderId);
    expect((await finalOrder(nora, request.orderId)).body).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_ABANDONED' });
    const history = await temporal.client.workflow.getHandle(paymentWorkflowId(request.orderId)).fetchHistory();
    const debit = history.events?.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'debit');
    expect(Number(debit?.activityTaskScheduledEventAttributes?.scheduleToCloseTimeout?.seconds)).toBe(1);
  });

  test('is not held back by older NEW orders it cannot act on: it looks at every stale order, a batch at a time', async () => {
    // An older order whose run is alive but stuck (no worker polls its queue), as a long payments
    // outage leaves hundreds; behind it, a newer order whose workflow is missing.
    const lena = await stack.clientFor('lena');
    const stuck = await placeOrder(lena, 'lena', 10);
    await published(stuck.orderId);
    await temporal.client.workflow.start('paymentWorkflow', { taskQueue: 'nowhere', workflowId: paymentWorkflowId(stuck.orderId), args: [stuck] });
    const mia = await stack.clientFor('mia');
    const missing = await placeOrder(mia, 'mia', 10);
    await published(missing.orderId);

    const oneAtATime = new Reconciler({ orm: stack.ordersOrm, temporal: temporal.client, logger: testLogger, olderThanMs: 0, intervalMs: 60_000, batchSize: 1 });
    expect((await oneAtATime.reconcileOnce()).rearmed).toContain(missing.orderId);
    expect((await finalOrder(mia, missing.orderId)).body).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_ABANDONED' });
    await temporal.client.workflow.getHandle(paymentWorkflowId(stuck.orderId)).terminate('test over');
  });
});

test('the orders service shows the age of its oldest NEW order', async () => {
  const jon = await stack.clientFor('jon');
  await placeOrder(jon, 'jon', 10);
  const text = await stack.ordersMetrics();
  const value = Number(/^orders_oldest_new_age_seconds\{[^}]*\} (\S+)$/m.exec(text)?.[1]);
  expect(value).toBeGreaterThan(0);
});
