// The outbox relay and the payment start against a real Temporal dev server and PostgreSQL, with no
// worker (a started workflow just waits): the relay's and start's guarantees that the mutation run
// (npm run mutation) found unchecked, each in a file quick enough to run for every mutant.
import { randomUUID } from 'node:crypto';
import { connect as connectTcp, createServer as createNetServer, type AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import type { Orm } from '../lib/database/open-database.ts';
import { currentLogIds } from '../lib/log-context.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { placeOrder } from '../services/orders/orders/orders.repository.ts';
import { OUTBOX_CHANNEL } from '../services/orders/outbox/outbox-message.entity.ts';
import { OutboxRelay, type OutboxRelayOptions } from '../services/orders/outbox/outbox-relay.ts';
import { startPayment, temporalUnavailable } from '../services/orders/outbox/start-payment.ts';
import { paymentWorkflowId, SEARCH_ATTRIBUTES, TASK_QUEUES } from '../workflows/names.ts';
import type { PaymentRequest } from '../workflows/payment.types.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { until } from './helpers/eventually.ts';
import { testLogger } from '../harness/stack.ts';
import { startTemporalDevServer } from '../harness/temporal.ts';

let temporal: TestWorkflowEnvironment;
let orm: Orm;
let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = freshDatabaseUrl('orders_relay');
  [temporal, orm] = await Promise.all([startTemporalDevServer(), openOrdersDatabase(databaseUrl, 4)]);
});
afterAll(async () => {
  await orm.close();
  await temporal.teardown();
});
// Each test starts from an outbox of its own rows only.
beforeEach(() => orm.em.fork().execute('delete from outbox_messages'));

const relayWith = (options: Partial<OutboxRelayOptions> = {}) =>
  new OutboxRelay({ orm, temporal: temporal.client, logger: testLogger, databaseUrl, batchSize: 50, pollIntervalMs: 60_000, maxAttempts: 30, ...options });

const place = async (userId = 'ada') =>
  (await placeOrder(orm.em.fork(), userId, { amount: 7, description: 'relayed' }, { currency: 'USD', requestId: `request-${randomUUID()}` })).id;

interface Row {
  aggregate_id: string;
  attempts: number;
  published_at: string | null;
  dead_at: string | null;
  last_error: string | null;
  backoff_seconds: number;
}
async function rows(): Promise<Row[]> {
  // The backoff is rounded up: the row is read a moment after it was set, which a busy machine makes longer than half a second.
  return orm.em.fork().execute<Row[]>(
    `select aggregate_id, attempts, published_at, dead_at, last_error,
            ceil(extract(epoch from next_attempt_at - clock_timestamp()))::int as backoff_seconds
       from outbox_messages order by id`,
  );
}

/** An outbox row Temporal refuses (a workflow id past its length limit): the row's own failure. */
async function insertRefusedRow(attempts = 0): Promise<void> {
  const payload: PaymentRequest = { orderId: 'x'.repeat(2_000), userId: 'nobody', amount: 1, currency: 'USD' };
  await orm.em.fork().execute(
    `insert into outbox_messages (type, aggregate_id, payload, attempts, next_attempt_at, created_at) values ('Refused', gen_random_uuid(), ?, ?, now(), now())`,
    [JSON.stringify(payload), attempts],
  );
}
/** A due row for a new order, written without the NOTIFY that placeOrder sends. */
async function insertRowWithoutNotify(): Promise<void> {
  const payload: PaymentRequest = { orderId: randomUUID(), userId: 'cy', amount: 1, currency: 'USD' };
  await orm.em.fork().execute(
    `insert into outbox_messages (type, aggregate_id, payload, attempts, next_attempt_at, created_at) values ('PaymentRequested', ?, ?, 0, now(), now())`,
    [payload.orderId, JSON.stringify(payload)],
  );
}

/** A client whose starts fail before they are sent, at its own plug point, with this message. */
const failingClient = (message: string) =>
  new Client({ connection: temporal.client.connection, interceptors: { workflow: [{ startWithDetails: () => Promise.reject(new Error(message)) }] } });

async function listenSessions(): Promise<number> {
  const [row] = await orm.em.fork().execute<{ count: string }[]>(
    `select count(*) from pg_stat_activity where datname = current_database() and query = 'listen "${OUTBOX_CHANNEL}"'`,
  );
  return Number(row?.count);
}

const makeDue = () => orm.em.fork().execute('update outbox_messages set next_attempt_at = now()');

describe('the relay publishes', () => {
  test('a batch at a time, oldest first: each row started as its order\'s payment workflow, then marked published once', async () => {
    const orderIds = [await place(), await place(), await place()];
    const relay = relayWith({ batchSize: 2 });
    expect(await relay.publishBatch()).toBe(2);
    expect((await rows()).map((row) => row.published_at !== null)).toEqual([true, true, false]);
    expect(await relay.publishBatch()).toBe(1);
    expect(await relay.publishBatch()).toBe(0);
    for (const row of await rows()) expect(row).toMatchObject({ attempts: 1, dead_at: null, last_error: null });

    const [first] = await orm.em.fork().execute<{ payload: PaymentRequest }[]>('select payload from outbox_messages where aggregate_id = ?', [orderIds[0]]);
    const described = await temporal.client.workflow.getHandle(paymentWorkflowId(orderIds[0] ?? '')).describe();
    expect(described).toMatchObject({ type: 'paymentWorkflow', taskQueue: TASK_QUEUES.payments, status: { name: 'RUNNING' } });
    expect(described.memo).toEqual({ requestId: first?.payload.requestId });
    expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.orderId)).toBe(orderIds[0]);
    expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.userId)).toBe('ada');
    // The workflow's argument is the row's payment request, as the start sent it.
    const history = await temporal.client.workflow.getHandle(paymentWorkflowId(orderIds[0] ?? '')).fetchHistory();
    const [argument] = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    expect(JSON.parse(Buffer.from(argument?.data ?? []).toString())).toEqual(first?.payload);
  });

  test('on NOTIFY once started, and not after it stopped: its LISTEN session is gone and a wake-up does nothing', async () => {
    const relay = relayWith();
    await relay.start();
    await place();
    await until(async () => (await rows()).every((row) => row.published_at !== null), 'the row published on NOTIFY');
    await relay.stop();
    expect(await listenSessions()).toBe(0);
    await place();
    relay.wake();
    // stop() waits for a drain under way: were one started, it would be over now.
    await relay.stop();
    expect((await rows()).map((row) => row.published_at !== null)).toEqual([true, false]);
  });

  test('stop() returns only once the drain under way is done: nothing is left half published', async () => {
    await insertRowWithoutNotify();
    const relay = relayWith();
    relay.wake();
    await relay.stop();
    expect((await rows()).map((row) => [row.attempts, row.published_at !== null])).toEqual([[1, true]]);
  });

  test('a wake-up while a drain is under way makes it look once more: a row committed after its claim is not left for the poll', async () => {
    // Temporal behind a proxy that holds the first start: the drain has claimed its rows by then.
    let held = false;
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const proxy = createNetServer((client) => {
      const server = connectTcp(Number(temporal.address.split(':')[1]), temporal.address.split(':')[0]);
      server.pipe(client);
      client.once('data', (first) => {
        client.pause();
        held = true;
        void released.then(() => {
          server.write(first);
          client.pipe(server);
        });
      });
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const connection = Connection.lazy({ address: `127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    const relay = relayWith({ temporal: new Client({ connection }) });
    try {
      await insertRowWithoutNotify();
      relay.wake();
      await until(() => held, "the drain's start held at the proxy", 5_000);
      await insertRowWithoutNotify();
      relay.wake();
      release();
      await until(async () => (await rows()).every((row) => row.published_at !== null), 'both rows published, the second by the look once more', 5_000);
    } finally {
      release();
      await relay.stop();
      await connection.close();
      proxy.close();
    }
  });

  test('a look once more is one look: after it, the relay is quiet until the next wake-up', async () => {
    const relay = relayWith();
    let drains = 0;
    const publishBatch = relay.publishBatch.bind(relay);
    relay.publishBatch = () => (drains++, publishBatch());
    relay.wake();
    relay.wake();
    await until(() => drains >= 2, 'the drain and its look once more', 5_000);
    // A relay that kept looking would claim every few milliseconds in this pause.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await relay.stop();
    expect(drains).toBe(2);
  });

  test('stop() ends its poll: no timer is left to wake the stopped relay (and keep the process alive)', async () => {
    const relay = relayWith({ pollIntervalMs: 20 });
    let wakeUps = 0;
    const wake = relay.wake.bind(relay);
    relay.wake = () => (wakeUps++, wake());
    await relay.start();
    await until(() => wakeUps > 0, 'the relay woken', 5_000);
    await relay.stop();
    const atStop = wakeUps;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(wakeUps).toBe(atStop);
  });

  test('a relay never started stops cleanly', async () => {
    await expect(relayWith().stop()).resolves.toBeUndefined();
  });

  test('one wake-up drains batch after batch while they come back full', async () => {
    for (let i = 0; i < 3; i++) await insertRowWithoutNotify();
    const relay = relayWith({ batchSize: 1 });
    relay.wake();
    await until(async () => (await rows()).every((row) => row.published_at !== null), 'all three rows published by one wake-up');
    await relay.stop();
  });

  test('on its poll when no NOTIFY comes', async () => {
    const relay = relayWith({ pollIntervalMs: 100 });
    await insertRowWithoutNotify();
    await relay.start();
    try {
      // Published by the look the relay takes once it listens; after that only the poll is left.
      await until(async () => (await rows())[0]?.published_at !== null, 'the first row published on connecting');
      await insertRowWithoutNotify();
      await until(async () => (await rows())[1]?.published_at !== null, 'the second row published by the poll');
    } finally {
      await relay.stop();
    }
  });

  test('a row whose workflow already started (the relay died before marking it) is marked published, nothing started twice', async () => {
    const orderId = await place();
    await relayWith().publishBatch();
    await orm.em.fork().execute('update outbox_messages set published_at = null');
    expect(await relayWith().publishBatch()).toBe(1);
    expect(await rows()).toEqual([expect.objectContaining({ aggregate_id: orderId, attempts: 2, last_error: null })]);
    expect((await rows())[0]?.published_at).not.toBeNull();
  });
});

describe('a start that fails', () => {
  test('because Temporal refuses the row: its error kept, backed off 1, 2, 4 … s, dead-lettered at maxAttempts and claimed no more', async () => {
    await insertRefusedRow();
    const relay = relayWith({ maxAttempts: 3 });
    const seen: Row[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await relay.publishBatch()).toBe(1);
      const [row] = await rows();
      if (row) seen.push(row);
      await makeDue();
    }
    expect(seen.map(({ attempts, backoff_seconds, dead_at }) => [attempts, backoff_seconds, dead_at === null])).toEqual([
      [1, 1, true],
      [2, 2, true],
      [3, 4, false],
    ]);
    // The error's message, as an operator reads it in `npm run outbox -- list`.
    expect(seen[0]?.last_error).toBe('Failed to start Workflow');
    expect(await relay.publishBatch()).toBe(0);
  });

  test('with a long history backs off at most a minute, and one refused row holds back none of its batch', async () => {
    await insertRefusedRow(1_024);
    const orderId = await place();
    expect(await relayWith({ maxAttempts: 10_000 }).publishBatch()).toBe(2);
    const [refused, placed] = await rows();
    expect(refused).toMatchObject({ attempts: 1_025, published_at: null, dead_at: null, backoff_seconds: 60 });
    expect(placed).toMatchObject({ aggregate_id: orderId, attempts: 1 });
    expect(placed?.published_at).not.toBeNull();
  });

  test("whose warning names the row's order and the request that placed it", async () => {
    const orderId = await place();
    const [row] = await orm.em.fork().execute<{ payload: PaymentRequest }[]>('select payload from outbox_messages');
    const lines: Record<string, unknown>[] = [];
    // Wired as createLogger wires it: the ids in force are added to each line.
    const logger = pino({ level: 'warn', mixin: currentLogIds }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    await relayWith({ temporal: failingClient('refused'), logger }).publishBatch();
    expect(lines).toEqual([expect.objectContaining({ msg: 'starting a payment failed; will retry', orderId, requestId: row?.payload.requestId })]);
  });

  test('with an error longer than 2,000 characters: its first 2,000 are kept', async () => {
    await place();
    const message = `${'a'.repeat(2_000)}b`;
    await relayWith({ temporal: failingClient(message) }).publishBatch();
    expect((await rows())[0]?.last_error).toBe(message.slice(0, 2_000));
  });

  test('because Temporal is unreachable: backed off, never dead-lettered, however many attempts', async () => {
    await place();
    const connection = Connection.lazy({ address: '127.0.0.1:9' });
    try {
      const relay = relayWith({ temporal: new Client({ connection }), maxAttempts: 1, startTimeoutMs: 1_000 });
      for (let attempt = 1; attempt <= 2; attempt++) {
        await relay.publishBatch();
        await makeDue();
      }
    } finally {
      await connection.close();
    }
    expect(await rows()).toEqual([expect.objectContaining({ attempts: 2, published_at: null, dead_at: null, last_error: expect.any(String) })]);
  });
});

describe('startPayment', () => {
  const request = (): PaymentRequest => ({ orderId: randomUUID(), userId: 'bea', amount: 3, currency: 'USD' });

  test('refuses a second run of a payment whose run was terminated (REJECT_DUPLICATE), and says nothing', async () => {
    const payment = request();
    await startPayment(temporal.client, payment);
    const handle = temporal.client.workflow.getHandle(paymentWorkflowId(payment.orderId));
    const { runId } = await handle.describe();
    await handle.terminate('test');
    await startPayment(temporal.client, payment);
    expect(await handle.describe()).toMatchObject({ runId, status: { name: 'TERMINATED' } });
  });

  test('a request from before requests carried an id starts with no memo', async () => {
    const payment = request();
    await startPayment(temporal.client, payment);
    const { memo } = await temporal.client.workflow.getHandle(paymentWorkflowId(payment.orderId)).describe();
    expect(Object.keys(memo ?? {})).toEqual([]);
  });

  test('a failure that is no gRPC answer (the client failing before sending) says nothing of Temporal: the row is to blame', () => {
    expect(temporalUnavailable(new Error('could not serialise the request'))).toBe(false);
    expect(temporalUnavailable('not even an Error')).toBe(false);
  });

  test('other failures are thrown, for the relay to record', async () => {
    await expect(startPayment(temporal.client, { ...request(), orderId: 'x'.repeat(2_000) })).rejects.toThrow();
  });
});
