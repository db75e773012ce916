import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client, Connection, WorkflowFailedError, type WorkflowClientInterceptor } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createOrdersActivities } from '../activities/orders.activities.ts';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createPaymentsActivities } from '../activities/payments.activities.ts';
import { asDelivered } from './helpers/activity-context.ts';
import { OUTBOX_CHANNEL } from '../services/orders/outbox/outbox-message.entity.ts';
import type { OutboxRelay } from '../services/orders/outbox/outbox-relay.ts';
import { startPayment } from '../services/orders/outbox/start-payment.ts';
import { debitMessageId } from '../services/payments/inbox/debit.ts';
import type { PaymentRequest } from '../workflows/payment.types.ts';
import { paymentWorkflowId } from '../workflows/names.ts';
import { readBooks } from './helpers/books.ts';
import { until } from './helpers/eventually.ts';
import { holdRows, listening, lockWaiters } from './helpers/lock-waiters.ts';
import { finalOrder } from '../harness/orders.ts';
import { createRelay, startOrdersWorker, startPaymentsWorker, type RunningWorker } from '../harness/saga.ts';
import { startStack, type Client as UserClient, type Stack } from '../harness/stack.ts';
import { startTemporalDevServer, workerRuntime } from '../harness/temporal.ts';

const run = promisify(execFile);

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

// No relay runs on its own in this file: each test moves the outbox itself, the way it needs.


async function placeOrder(client: UserClient, amount: number): Promise<string> {
  const answer = await client('POST', '/api/orders', { body: { amount, description: 'fault test' } });
  expect(answer.status).toBe(202);
  return answer.body.id;
}

// Raw queries answer timestamps as text.
interface OutboxRow {
  aggregate_id: string;
  attempts: number;
  published_at: string | null;
  last_error: string | null;
  next_attempt_at: string;
}

async function outboxRow(orderId: string): Promise<OutboxRow | undefined> {
  const [row] = await stack.ordersOrm.em
    .fork()
    .execute<OutboxRow[]>('select aggregate_id, attempts, published_at, last_error, next_attempt_at from outbox_messages where aggregate_id = ?', [orderId]);
  return row;
}

async function debitsOf(orderId: string): Promise<number> {
  const [row] = await stack.paymentsOrm.em.fork().execute<{ n: string }[]>('select count(*) as n from ledger_entries where order_id = ?', [orderId]);
  return Number(row?.n);
}

/** Publishes every due message with this relay, batch after batch. */
async function drain(relay: OutboxRelay): Promise<void> {
  while ((await relay.publishBatch()) > 0);
}

test('duplicate deliveries of a debit that race on the inbox key debit once and answer the first outcome', async () => {
  await stack.fundedClientFor('uma', 1_000);
  const activities = asDelivered(createPaymentsActivities({ orm: stack.paymentsOrm }));
  const debit = (request: PaymentRequest) => activities.debit(request);
  const request: PaymentRequest = { orderId: crypto.randomUUID(), userId: 'uma', amount: 600, currency: 'USD' };

  // With the account locked, the first delivery to insert the inbox row waits on the account
  // inside its transaction; the other two must then wait on its uncommitted inbox key.
  const account = await holdRows(stack.paymentsDatabaseUrl, 'select 1 from accounts where user_id = $1 for update', ['uma']);
  const deliveries = Promise.all([debit(request), debit(request), debit(request)]);
  expect(await lockWaiters(stack.paymentsDatabaseUrl, 'insert into inbox_messages%', 2)).toBe(2);
  expect(await lockWaiters(stack.paymentsDatabaseUrl, '%update accounts%', 1)).toBe(1);
  await account.release();
  expect(await deliveries).toEqual(['PAID', 'PAID', 'PAID']);
  expect(await readBooks(stack.paymentsOrm, 'uma')).toEqual({ balance: 400, ledgerTotal: 400, ledgerEntries: 2 });

  // A redelivery after the money went elsewhere still answers the first outcome.
  expect(await debit({ ...request })).toBe('PAID');
  expect(await debitsOf(request.orderId)).toBe(1);
});

test.each([
  ['a fractional amount', 'una', { amount: 10.5 }],
  ['no amount', 'uno', { amount: null }],
  ['a negative amount', 'unu', { amount: -5 }],
  ['no user', 'una2', { userId: '' }],
  ['no currency', 'uno2', { currency: null }],
])('a payment no order could have made (%s) is refused before the inbox: a non-retryable MALFORMED_PAYMENT, nothing written', async (_, user, change) => {
  await stack.fundedClientFor(user, 1_000);
  const activities = asDelivered(createPaymentsActivities({ orm: stack.paymentsOrm }));
  const request = { orderId: crypto.randomUUID(), userId: user, amount: 100, currency: 'USD', ...change } as unknown as PaymentRequest;
  for (const deliver of [() => activities.debit(request), () => activities.voidDebit(request)]) {
    const failure = await deliver().then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'MALFORMED_PAYMENT', nonRetryable: true });
  }
  const [inbox] = await stack.paymentsOrm.em.fork().execute<{ count: string }[]>('select count(*) from inbox_messages where message_id = ?', [debitMessageId(request.orderId)]);
  expect(Number(inbox?.count)).toBe(0);
  expect(await readBooks(stack.paymentsOrm, user)).toEqual({ balance: 1_000, ledgerTotal: 1_000, ledgerEntries: 1 });
});

/** A client of this Temporal server that sends each workflow start through `start`. */
function clientWith(startWithDetails: NonNullable<WorkflowClientInterceptor['startWithDetails']>): Client {
  return new Client({ connection: temporal.connection, interceptors: { workflow: [{ startWithDetails }] } });
}

test('a worker stopped after the debit committed, before Temporal heard of it: Temporal redelivers to a new worker, which debits nothing more', async () => {
  const gus = await stack.fundedClientFor('gus', 1_000);
  // This file's payments worker gives way to one whose debit, once committed, holds its result
  // until the worker is stopped: the result never reaches Temporal.
  await workers[0]?.stop();
  let committed!: () => void;
  const debitCommitted = new Promise<void>((resolve) => (committed = resolve));
  const holding = await startPaymentsWorker(stack, temporal, [
    (context) => ({
      inbound: {
        async execute(input, next) {
          const result: unknown = await next(input);
          if (context.info.activityType === 'debit') {
            committed();
            await context.cancelled;
          }
          return result;
        },
      },
    }),
  ]);
  const orderId = await placeOrder(gus, 250);
  await drain(createRelay(stack, temporal));
  await debitCommitted;
  expect(await debitsOf(orderId)).toBe(1);
  expect((await gus('GET', `/api/orders/${orderId}`)).body.status).toBe('NEW');
  await holding.stop();
  workers[0] = await startPaymentsWorker(stack, temporal);

  expect((await finalOrder(gus, orderId)).body.status).toBe('PAID');
  expect(await debitsOf(orderId)).toBe(1);
  expect(await readBooks(stack.paymentsOrm, 'gus')).toEqual({ balance: 750, ledgerTotal: 750, ledgerEntries: 2 });
  // The PAID came from a later attempt of the same activity, after the first one failed.
  const events = (await temporal.client.workflow.getHandle(paymentWorkflowId(orderId)).fetchHistory()).events ?? [];
  const scheduled = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'debit');
  const started = events.find((event) => Number(event.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled?.eventId));
  expect(started?.activityTaskStartedEventAttributes?.attempt).toBeGreaterThan(1);
  expect(started?.activityTaskStartedEventAttributes?.lastFailure).toBeTruthy();
});

test('the relay dies after starting the workflow, before marking the row: the next run starts nothing new', async () => {
  const vera = await stack.fundedClientFor('vera', 500);
  await drain(createRelay(stack, temporal));
  // The only due row: the one the dying relay claims.
  const orderId = await placeOrder(vera, 200);
  // A relay process claims the row, starts the workflow and is SIGKILLed before it marks the row.
  const dying = spawn(process.execPath, [fileURLToPath(new URL('helpers/dying-relay.ts', import.meta.url))], {
    env: { ...process.env, ORDERS_DATABASE_URL: stack.ordersDatabaseUrl, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace ?? 'default' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [started] = (await once(dying.stdout, 'data')) as [Buffer];
  const deadRunId = started.toString().trim();
  const exited = once(dying, 'exit');
  dying.kill('SIGKILL');
  expect(await exited).toEqual([null, 'SIGKILL']);
  expect(await outboxRow(orderId)).toMatchObject({ published_at: null, attempts: 0 });
  // Its workflow runs to the end: only the workflow id's reuse policy keeps the next start from another run.
  expect(await temporal.client.workflow.getHandle(paymentWorkflowId(orderId), deadRunId).result()).toBe('PAID');

  await drain(createRelay(stack, temporal));
  expect(await outboxRow(orderId)).toMatchObject({ published_at: expect.any(String), attempts: 1 });
  expect((await vera('GET', `/api/orders/${orderId}`)).body.status).toBe('PAID');
  expect(await debitsOf(orderId)).toBe(1);
  expect((await readBooks(stack.paymentsOrm, 'vera')).balance).toBe(300);
  // Exactly one run, and it is the one the dead relay started.
  const runs: string[] = [];
  for await (const workflow of temporal.client.workflow.list({ query: `WorkflowId = "${paymentWorkflowId(orderId)}"` })) {
    runs.push(workflow.runId);
  }
  expect(runs).toEqual([deadRunId]);
});

test('two relays over one outbox: every row is claimed by exactly one of them, every order paid once', async () => {
  const wade = await stack.fundedClientFor('wade', 100_000);
  const orderIds: string[] = [];
  for (let index = 0; index < 40; index++) orderIds.push(await placeOrder(wade, 100 + index));

  // The first relay holds its first batch (at most ten seconds) until the second has claimed rows
  // of its own: SKIP LOCKED must hand the second rows while the first holds its batch.
  const claimed = [new Set<string>(), new Set<string>()];
  let firstHolds: boolean | undefined;
  let claimedWhileFirstHeld = 0;
  let firstClaimed!: () => void;
  let secondClaimed!: () => void;
  const firstHasClaimed = new Promise<void>((resolve) => (firstClaimed = resolve));
  const secondHasClaimed = new Promise<void>((resolve) => (secondClaimed = resolve));
  const first = createRelay(stack, temporal, {
    batchSize: 5,
    temporal: clientWith(async (input, next) => {
      claimed[0]?.add(input.options.workflowId);
      if (firstHolds === undefined) {
        firstHolds = true;
        firstClaimed();
      }
      if (firstHolds) {
        await Promise.race([secondHasClaimed, setTimeout(10_000)]);
        firstHolds = false;
      }
      return next(input);
    }),
  });
  const second = createRelay(stack, temporal, {
    batchSize: 5,
    temporal: clientWith((input, next) => {
      claimed[1]?.add(input.options.workflowId);
      if (firstHolds) claimedWhileFirstHeld++;
      secondClaimed();
      return next(input);
    }),
  });
  const firstDrain = drain(first);
  await firstHasClaimed;
  await Promise.all([firstDrain, drain(second)]);
  const [byFirst = new Set<string>(), bySecond = new Set<string>()] = claimed;
  expect(byFirst.size).toBeGreaterThan(0);
  expect(bySecond.size).toBeGreaterThan(0);
  expect(claimedWhileFirstHeld).toBeGreaterThan(0);
  expect(byFirst.size + bySecond.size).toBe(40);
  expect(new Set([...byFirst, ...bySecond])).toEqual(new Set(orderIds.map(paymentWorkflowId)));

  for (const orderId of orderIds) {
    const row = await outboxRow(orderId);
    expect(row?.published_at).not.toBeNull();
    // Taken twice, a row would show two attempts (the second start answers "already started").
    expect(row?.attempts).toBe(1);
  }
  const statuses = await Promise.all(orderIds.map(async (orderId) => (await finalOrder(wade, orderId)).body.status));
  expect(new Set(statuses)).toEqual(new Set(['PAID']));
  for (const orderId of orderIds) expect(await debitsOf(orderId)).toBe(1);
  const spent = orderIds.reduce((sum, _, index) => sum + 100 + index, 0);
  expect(await readBooks(stack.paymentsOrm, 'wade')).toEqual({ balance: 100_000 - spent, ledgerTotal: 100_000 - spent, ledgerEntries: 41 });
});

test('Temporal unreachable: the row stays unpublished with its error and a later attempt; nothing is lost', async () => {
  const xena = await stack.fundedClientFor('xena', 100);
  const orderId = await placeOrder(xena, 10);
  const deadConnection = Connection.lazy({ address: '127.0.0.1:9' });
  const broken = createRelay(stack, temporal, { temporal: new Client({ connection: deadConnection }), pollIntervalMs: 60_000, startTimeoutMs: 1_000 });
  await broken.publishBatch();
  const failed = await outboxRow(orderId);
  expect(failed?.published_at).toBeNull();
  expect(failed?.attempts).toBe(1);
  expect(failed?.last_error).toEqual(expect.any(String));
  expect(Date.parse(failed?.next_attempt_at ?? '')).toBeGreaterThan(Date.now());
  await deadConnection.close();

  // Once the backoff has passed, a working relay publishes it.
  await stack.ordersOrm.em.fork().execute('update outbox_messages set next_attempt_at = now() where aggregate_id = ?', [orderId]);
  await drain(createRelay(stack, temporal));
  expect((await finalOrder(xena, orderId)).body.status).toBe('PAID');
});

test('Temporal unreachable for longer than OUTBOX_MAX_ATTEMPTS allows: the rows back off and wait, none is dead-lettered', async () => {
  const quinn = await stack.fundedClientFor('quinn', 100);
  const orderId = await placeOrder(quinn, 10);
  const deadConnection = Connection.lazy({ address: '127.0.0.1:9' });
  const broken = createRelay(stack, temporal, { temporal: new Client({ connection: deadConnection }), maxAttempts: 2, startTimeoutMs: 1_000 });
  const due = () => stack.ordersOrm.em.fork().execute('update outbox_messages set next_attempt_at = now() where aggregate_id = ?', [orderId]);
  for (let attempt = 1; attempt <= 3; attempt++) {
    await broken.publishBatch();
    await due();
  }
  await deadConnection.close();
  const [row] = await stack.ordersOrm.em.fork().execute<{ attempts: number; dead_at: string | null }[]>(
    'select attempts, dead_at from outbox_messages where aggregate_id = ?',
    [orderId],
  );
  expect(row).toMatchObject({ attempts: 3, dead_at: null });

  // Temporal is back: the next relay pass pays the order, no operator needed.
  await drain(createRelay(stack, temporal));
  expect((await finalOrder(quinn, orderId)).body.status).toBe('PAID');
});

test('many concurrent orders on one account never overdraw it: exactly the affordable number are paid', async () => {
  const yuri = await stack.fundedClientFor('yuri', 1_000);
  const orderIds = await Promise.all(Array.from({ length: 30 }, () => placeOrder(yuri, 100)));
  // With the account locked, the debits pile up on it: they race for the same balance at once.
  const account = await holdRows(stack.paymentsDatabaseUrl, 'select 1 from accounts where user_id = $1 for update', ['yuri']);
  await drain(createRelay(stack, temporal));
  expect(await lockWaiters(stack.paymentsDatabaseUrl, '%update accounts%', 8)).toBeGreaterThanOrEqual(8);
  await account.release();

  const statuses = await Promise.all(orderIds.map(async (orderId) => (await finalOrder(yuri, orderId)).body));
  expect(statuses.filter((order) => order.status === 'PAID')).toHaveLength(10);
  expect(statuses.filter((order) => order.status === 'CANCELLED' && order.failureReason === 'INSUFFICIENT_FUNDS')).toHaveLength(20);
  expect(await readBooks(stack.paymentsOrm, 'yuri')).toEqual({ balance: 0, ledgerTotal: 0, ledgerEntries: 11 });
});

test('a relay is woken by NOTIFY, not by its poll', async () => {
  const zack = await stack.fundedClientFor('zack', 100);
  const relay = createRelay(stack, temporal, { pollIntervalMs: 3_600_000 });
  // Every batch the relay runs, and how many rows it published.
  const batches: number[] = [];
  const publishBatch = relay.publishBatch.bind(relay);
  relay.publishBatch = async () => {
    const published = await publishBatch();
    batches.push(published);
    return published;
  };
  await relay.start();
  try {
    // Place the order only once the relay listens and its sweep on connecting is over: then
    // nothing but the NOTIFY can wake it (its poll is an hour away).
    await listening(stack.ordersDatabaseUrl, OUTBOX_CHANNEL);
    await until(() => batches.length > 0, 'the sweep on connecting over');
    const swept = batches.length;
    const orderId = await placeOrder(zack, 10);
    expect((await finalOrder(zack, orderId, 10_000)).body.status).toBe('PAID');
    expect(batches.slice(swept)).toContain(1);
  } finally {
    await relay.stop();
  }
});

/** An outbox row whose workflow can never start: its order id is longer than any workflow id Temporal takes. */
async function insertPoisonRow(attempts: number): Promise<string> {
  const payload: PaymentRequest = { orderId: 'x'.repeat(2_000), userId: 'nobody', amount: 1, currency: 'USD' };
  const [row] = await stack.ordersOrm.em.fork().execute<{ id: string }[]>(
    `insert into outbox_messages (type, aggregate_id, payload, attempts, next_attempt_at, created_at)
     values ('PoisonTest', gen_random_uuid(), ?, ?, now(), now()) returning id`,
    [JSON.stringify(payload), attempts],
  );
  return String(row?.id);
}

async function rowById(id: string) {
  const [row] = await stack.ordersOrm.em
    .fork()
    .execute<(OutboxRow & { dead_at: string | null })[]>('select aggregate_id, attempts, published_at, last_error, next_attempt_at, dead_at from outbox_messages where id = ?', [id]);
  return row;
}

/** `npm run outbox -- <args>`, as an operator runs it, against this file's orders database. */
function outboxCommand(...args: string[]) {
  const script = fileURLToPath(new URL('../scripts/outbox.ts', import.meta.url));
  return run(process.execPath, [script, ...args], { env: { ...process.env, ORDERS_DATABASE_URL: stack.ordersDatabaseUrl } });
}

test('a poison row that has failed 1024 times blocks nothing: the rows in its batch are published, it backs off', async () => {
  const poison = await insertPoisonRow(1_024);
  const amy = await stack.fundedClientFor('amy', 100);
  const orderId = await placeOrder(amy, 10);

  await createRelay(stack, temporal, { maxAttempts: 10_000 }).publishBatch();
  expect((await outboxRow(orderId))?.published_at).not.toBeNull();
  expect((await finalOrder(amy, orderId)).body.status).toBe('PAID');
  const failed = await rowById(poison);
  expect(failed).toMatchObject({ attempts: 1_025, published_at: null, dead_at: null, last_error: expect.any(String) });
  // The capped exponent: at most a minute away, however many attempts it has.
  expect(Date.parse(failed?.next_attempt_at ?? '')).toBeLessThanOrEqual(Date.now() + 61_000);
  await stack.ordersOrm.em.fork().execute('delete from outbox_messages where id = ?', [poison]);
});

test('after OUTBOX_MAX_ATTEMPTS a row is dead-lettered, never claimed again, until an operator re-arms it', async () => {
  const poison = await insertPoisonRow(0);
  const relay = createRelay(stack, temporal, { maxAttempts: 3 });
  const due = () => stack.ordersOrm.em.fork().execute('update outbox_messages set next_attempt_at = now() where id = ?', [poison]);
  for (let attempt = 1; attempt <= 3; attempt++) {
    await relay.publishBatch();
    expect((await rowById(poison))?.attempts).toBe(attempt);
    await due();
  }
  expect((await rowById(poison))?.dead_at).not.toBeNull();
  const listed = await outboxCommand('list');
  expect(listed.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id)).toEqual([poison]);
  const metrics = await stack.ordersMetrics();
  expect(metrics).toMatch(/^outbox_dead_letters\{[^}]*\} 1$/m);

  // Dead: claimed no more.
  await relay.publishBatch();
  expect((await rowById(poison))?.attempts).toBe(3);

  // The operator's retry gives it a fresh budget and makes it due at once; a second one finds no dead row.
  expect((await outboxCommand('retry', poison)).stdout).toContain(`outbox row ${poison} re-armed`);
  expect(await rowById(poison)).toMatchObject({ attempts: 0, dead_at: null });
  await expect(outboxCommand('retry', poison)).rejects.toMatchObject({ code: 1 });
  await relay.publishBatch();
  expect((await rowById(poison))?.attempts).toBe(1);
  await stack.ordersOrm.em.fork().execute('delete from outbox_messages where id = ?', [poison]);
});

test('the retry command answers an id no row can have (past bigint) as it answers any unknown id, not with a crash', async () => {
  await expect(outboxCommand('retry', '99999999999999999999')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^no dead-lettered outbox row 99999999999999999999\n$/) });
});

test('an order in another currency than the account is cancelled with CURRENCY_MISMATCH and the balance is untouched', async () => {
  const bea = await stack.fundedClientFor('bea', 1_000);
  const orderId = await placeOrder(bea, 300);
  // As if the orders service were configured for EUR while the account holds USD.
  await startPayment(temporal.client, { orderId, userId: 'bea', amount: 300, currency: 'EUR' });
  expect((await finalOrder(bea, orderId)).body).toMatchObject({ status: 'CANCELLED', failureReason: 'CURRENCY_MISMATCH' });
  expect(await readBooks(stack.paymentsOrm, 'bea')).toEqual({ balance: 1_000, ledgerTotal: 1_000, ledgerEntries: 1 });
  expect(await debitsOf(orderId)).toBe(0);
});

/** The workflow's failure: the type of the ApplicationFailure under its ActivityFailure. */
async function failureTypeOf(workflowId: string): Promise<string | undefined> {
  const error = await temporal.client.workflow.getHandle(workflowId).result().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause?.cause;
  return cause instanceof ApplicationFailure ? cause.type ?? undefined : undefined;
}

async function conflictsCounted(kind: string): Promise<number> {
  const text = await fetch((await workerRuntime()).metricsUrl).then((answer) => answer.text());
  const line = text.split('\n').find((row) => row.includes('saga_conflicts') && row.includes(`kind="${kind}"`) && !row.startsWith('#'));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('a redelivered debit with another amount is not answered the first outcome: it fails loudly, non-retryable, and debits nothing more', async () => {
  await stack.fundedClientFor('cleo', 1_000);
  const orderId = crypto.randomUUID();
  const activities = asDelivered(createPaymentsActivities({ orm: stack.paymentsOrm }));
  expect(await activities.debit({ orderId, userId: 'cleo', amount: 100, currency: 'USD' })).toBe('PAID');

  const before = await conflictsCounted('MISMATCHED_REDELIVERY');
  await startPayment(temporal.client, { orderId, userId: 'cleo', amount: 900, currency: 'USD' });
  expect(await failureTypeOf(paymentWorkflowId(orderId))).toBe('MISMATCHED_REDELIVERY');
  expect(await readBooks(stack.paymentsOrm, 'cleo')).toEqual({ balance: 900, ledgerTotal: 900, ledgerEntries: 2 });
  expect(await conflictsCounted('MISMATCHED_REDELIVERY')).toBe(before + 1);
  // The failed workflow shows in the SDK's own counter, which the PaymentWorkflowFailed alert watches.
  const metrics = await fetch((await workerRuntime()).metricsUrl).then((answer) => answer.text());
  expect(metrics).toMatch(/^temporal_workflow_failed\{[^}]*workflow_type="paymentWorkflow"[^}]*\} [1-9]/m);
  expect((await workerRuntime()).logs.some((entry) => entry.level === 'ERROR' && entry.message.includes(debitMessageId(orderId)))).toBe(true);
});

test('completeOrder with an outcome that contradicts the order fails loudly, non-retryable', async () => {
  const dora = await stack.fundedClientFor('dora', 1_000);
  const orderId = await placeOrder(dora, 100);
  // Someone else settled the order first, differently.
  await stack.ordersOrm.em.fork().execute(`update orders set status = 'CANCELLED', failure_reason = 'NO_ACCOUNT' where id = ?`, [orderId]);

  const before = await conflictsCounted('CONFLICTING_OUTCOME');
  await drain(createRelay(stack, temporal));
  expect(await failureTypeOf(paymentWorkflowId(orderId))).toBe('CONFLICTING_OUTCOME');
  expect(await conflictsCounted('CONFLICTING_OUTCOME')).toBe(before + 1);
  expect((await workerRuntime()).logs.some((entry) => entry.level === 'ERROR' && entry.message.includes(`order ${orderId}`))).toBe(true);
  // A repeat of the outcome the order holds is still a quiet no-op.
  const orders = asDelivered(createOrdersActivities({ orm: stack.ordersOrm }));
  await expect(orders.completeOrder(orderId, 'NO_ACCOUNT')).resolves.toBeUndefined();
});
