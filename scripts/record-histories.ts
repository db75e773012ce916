// `npm run record-histories`: runs the payment workflow for real (embedded PostgreSQL, a Temporal
// dev server, the services and workers) in each scenario the replay tests cover, and saves each
// run's history as JSON under test/histories/. Re-record after a deliberate, patched() change,
// and keep the histories of the code before it (test/histories/v1-*.json: before the give-up paths;
// v2-*.json: before the relay set the search attributes at the start).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { freePort } from '../harness/free-port.ts';
import { startEmbeddedPostgres } from '../supervisor/embedded-postgres.ts';
import { finalOrder } from '../harness/orders.ts';
import { debit, debitMessageId } from '../services/payments/inbox/debit.ts';
import { startPayment } from '../services/orders/outbox/start-payment.ts';
import { createRelay, startOrdersWorker, startPaymentsWorker } from '../harness/saga.ts';
import { startStack } from '../harness/stack.ts';
import { startTemporalDevServer } from '../harness/temporal.ts';
import { paymentWorkflowId } from '../workflows/names.ts';
import type { PaymentRequest } from '../workflows/payment.types.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'shop-record-'));
await chmod(dataDir, 0o755); // PostgreSQL runs as its own user when we are root.
const postgres = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pg'), port: await freePort(), persistent: false });
process.env.TEST_POSTGRES_URL = postgres.urlOf('postgres');
const [temporal, stack] = await Promise.all([startTemporalDevServer(), startStack()]);

// The orders worker fails the first report of each order in `flaky`, so one history shows a retried activity.
const flaky = new Set<string>();
const ordersWorker = await startOrdersWorker(stack, temporal, [
  (context) => ({
    inbound: {
      execute(input, next) {
        if (flaky.has(String(input.args[0])) && context.info.attempt === 1) throw new Error('a transient failure, for the record');
        return next(input);
      },
    },
  }),
]);
// The payments worker's debit fails for the orders in `unreachable`, as if its database were
// down, so one history shows a debit voided after its (shortened) deadline.
const unreachable = new Set<string>();
const paymentsWorker = await startPaymentsWorker(stack, temporal, [
  (context) => ({
    inbound: {
      execute(input, next) {
        const request = input.args[0] as PaymentRequest;
        if (context.info.activityType === 'debit' && unreachable.has(request.orderId)) throw new Error('the payments database is unreachable, for the record');
        return next(input);
      },
    },
  }),
]);
const relay = createRelay(stack, temporal);

interface Scenario {
  /** The order's report fails once. */
  retried?: boolean;
  /** The debit fails until its deadline of 2 seconds. */
  abandoned?: boolean;
  /** The payment asks for another currency than the account's. */
  currency?: string;
  /** The inbox already holds this order's debit with another amount: the workflow fails on the conflict. */
  conflict?: boolean;
}

async function record(name: string, userId: string, balance: number | undefined, amount: number, scenario: Scenario = {}): Promise<void> {
  const client = await stack.clientFor(userId);
  if (balance !== undefined) {
    await client('POST', '/api/account');
    await client('POST', '/api/account/deposits', { body: { amount: balance } });
  }
  const placed = await client('POST', '/api/orders', { body: { amount, description: name } });
  const orderId = String(placed.body.id);
  if (scenario.retried) flaky.add(orderId);
  if (scenario.conflict) {
    const message = { messageId: debitMessageId(orderId), orderId, userId, amount: amount + 1, currency: 'USD' };
    await debit(stack.paymentsOrm.em.fork(), message);
  }
  if (scenario.abandoned) {
    unreachable.add(orderId);
    await startPayment(temporal.client, { orderId, userId, amount, currency: 'USD', debitDeadlineSeconds: 2 });
  } else if (scenario.currency) {
    await startPayment(temporal.client, { orderId, userId, amount, currency: scenario.currency });
  } else {
    await relay.publishBatch();
  }
  const workflowId = paymentWorkflowId(orderId);
  const result = await temporal.client.workflow.getHandle(workflowId).result().catch((error: unknown) => `failed: ${String(error)}`);
  // A conflict leaves the order NEW for a human; every other run settles it.
  const order = scenario.conflict ? placed : await finalOrder(client, orderId);
  const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
  const file = new URL(`../test/histories/${name}.json`, import.meta.url);
  await writeFile(file, `${JSON.stringify({ workflowId, history: JSON.parse(historyToJSON(history)) as unknown }, null, 2)}\n`);
  console.log(`${name}: ${String(result)}, order ${String(order.body.status)}${order.body.failureReason ? ` (${String(order.body.failureReason)})` : ''}, ${history.events?.length ?? 0} events`);
}

try {
  await record('paid', 'recorder-paid', 1_000, 400);
  await record('insufficient-funds', 'recorder-poor', 100, 400);
  await record('no-account', 'recorder-nobody', undefined, 400);
  await record('retried-activity', 'recorder-retried', 1_000, 400, { retried: true });
  await record('abandoned', 'recorder-abandoned', 1_000, 400, { abandoned: true });
  await record('currency-mismatch', 'recorder-euro', 1_000, 400, { currency: 'EUR' });
  await record('conflict', 'recorder-conflict', 1_000, 400, { conflict: true });
} finally {
  await paymentsWorker.stop();
  await ordersWorker.stop();
  await stack.stop();
  await temporal.teardown();
  await postgres.stop();
  await rm(dataDir, { recursive: true, force: true });
}
