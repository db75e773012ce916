// The outbox relay and the payment start against a real Temporal dev server and PostgreSQL, with no
// worker (a started workflow just waits): the relay's and start's guarantees that the mutation run
// (npm run mutation) found unchecked, each in a file quick enough to run for every mutant.
import { randomUUID } from 'node:crypto';
import { connect as connectTcp, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { jest } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Orm } from '../lib/database/open-database.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { placeOrder } from '../services/orders/orders/orders.repository.ts';
import { OUTBOX_CHANNEL } from '../services/orders/outbox/outbox-message.entity.ts';
import { OutboxRelay, type OutboxRelayOptions } from '../services/orders/outbox/outbox-relay.ts';
import { startPayment, temporalUnavailable } from '../services/orders/outbox/start-payment.ts';
import { paymentWorkflowId, SEARCH_ATTRIBUTES, TASK_QUEUES } from '../workflows/names.ts';
import type { PaymentRequest } from '../workflows/payment.types.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { capturedLog } from './helpers/captured-log.ts';
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
  id: string;
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
    `select id, aggregate_id, attempts, published_at, dead_at, last_error,
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

const WARN = 40;
const ERROR = 50;

/** A Temporal address that accepts connections and never answers: a start sent there hangs until its deadline. */
async function silentTemporal(): Promise<{ address: string; reached: () => boolean; close: () => void }> {
  const sockets: Socket[] = [];
  const server = createNetServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    reached: () => sockets.length > 0,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

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

  test('stop() waits for the drain under way even when woken again meanwhile: that wake-up starts no second drain for stop() to wait on instead', async () => {
    const temporalServer = await silentTemporal();
    const connection = Connection.lazy({ address: temporalServer.address });
    // The held start fails at its deadline, and its row is recorded then: the drain under way ends by itself.
    const relay = relayWith({ temporal: new Client({ connection }), startTimeoutMs: 1_000 });
    try {
      await insertRowWithoutNotify();
      relay.wake();
      await until(temporalServer.reached, "the drain's start sent, its row claimed");
      relay.wake();
      await relay.stop();
      expect((await rows()).map((row) => row.attempts)).toEqual([1]);
    } finally {
      await relay.stop();
      // A relay that left its drain behind (the fault this test is for) records the row later: let it, before its Temporal goes.
      await until(async () => (await rows())[0]?.attempts === 1, 'the held start recorded');
      temporalServer.close();
      await connection.close();
    }
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
      await until(() => held, "the drain's start held at the proxy");
      await insertRowWithoutNotify();
      relay.wake();
      release();
      await until(async () => (await rows()).every((row) => row.published_at !== null), 'both rows published, the second by the look once more');
    } finally {
      release();
      await relay.stop();
      await connection.close();
      proxy.close();
    }
  });

  test('a wake-up is one look, and a look once more is one look: after them, the relay is quiet until the next wake-up', async () => {
    const relay = relayWith();
    const looks: Promise<number>[] = [];
    const publishBatch = relay.publishBatch.bind(relay);
    relay.publishBatch = () => {
      const look = publishBatch();
      looks.push(look);
      return look;
    };
    // What a look's end sets off (the drain's end, a look once more) is promise callbacks only: all
    // of them have run before the event loop's next turn, where setImmediate lands.
    const afterLook = async (count: number) => {
      await until(() => looks.length >= count, `look ${count}`);
      await looks[count - 1];
      await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      relay.wake();
      await afterLook(1);
      expect(looks).toHaveLength(1);
      relay.wake();
      relay.wake();
      await afterLook(3);
      expect(looks).toHaveLength(3);
    } finally {
      await relay.stop();
    }
  });

  test('stop() ends its poll: no timer is left to wake the stopped relay (and keep the process alive)', async () => {
    // Only intervals are faked, so that the poll's turns are the test's to make; the database and Temporal keep their real timers.
    jest.useFakeTimers({ doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout'] });
    const relay = relayWith({ pollIntervalMs: 60_000 });
    let wakeUps = 0;
    const wake = relay.wake.bind(relay);
    relay.wake = () => (wakeUps++, wake());
    try {
      await relay.start();
      // Counted around each turn of the clock only: the look the relay takes once it listens may come at any time.
      const beforePoll = wakeUps;
      jest.advanceTimersByTime(60_000);
      expect(wakeUps - beforePoll).toBe(1);
      await relay.stop();
      // Neither the poll nor the LISTEN connection's check is left.
      expect(jest.getTimerCount()).toBe(0);
      const atStop = wakeUps;
      jest.advanceTimersByTime(60_000);
      expect(wakeUps).toBe(atStop);
    } finally {
      await relay.stop();
      jest.useRealTimers();
    }
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
    const payment = temporal.client.workflow.getHandle(paymentWorkflowId(orderId));
    const { runId } = await payment.describe();
    await orm.em.fork().execute('update outbox_messages set published_at = null');
    expect(await relayWith().publishBatch()).toBe(1);
    expect(await rows()).toEqual([expect.objectContaining({ aggregate_id: orderId, attempts: 2, last_error: null })]);
    expect((await rows())[0]?.published_at).not.toBeNull();
    // The run the first start made is still the payment's run: the second start made none.
    expect((await payment.describe()).runId).toBe(runId);
  });

  test("each start in a span of its own, named for what it does and carrying the row's order and message id", async () => {
    const orderId = await place();
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    trace.setGlobalTracerProvider(provider);
    try {
      await relayWith().publishBatch();
      const [row] = await rows();
      expect(exporter.getFinishedSpans().map(({ name, attributes }) => ({ name, attributes }))).toEqual([
        { name: 'publish outbox message', attributes: { orderId, 'outbox.message_id': row?.id } },
      ]);
    } finally {
      trace.disable();
      await provider.shutdown();
    }
  });

  test('a row that cannot be recorded stays due, is logged with its id and error, and leaves the others recorded', async () => {
    const unrecordable = await place('unrecordable');
    const recordable = await place();
    const database = orm.em.fork();
    // The database refuses every change to that one row, as a broken constraint or a full disk would.
    await database.execute(`create function refuse_outbox_record() returns trigger language plpgsql as $$ begin raise exception 'row % refused', old.id; end $$`);
    await database.execute(
      `create trigger refuse_outbox_record before update on outbox_messages for each row when (old.payload->>'userId' = 'unrecordable') execute function refuse_outbox_record()`,
    );
    const { logger, records: lines } = capturedLog();
    try {
      expect(await relayWith({ logger }).publishBatch()).toBe(2);
    } finally {
      await database.execute('drop trigger refuse_outbox_record on outbox_messages');
      await database.execute('drop function refuse_outbox_record()');
    }
    const [refused, recorded] = await rows();
    expect(refused).toMatchObject({ aggregate_id: unrecordable, attempts: 0, published_at: null });
    expect(recorded).toMatchObject({ aggregate_id: recordable, attempts: 1 });
    expect(recorded?.published_at).not.toBeNull();
    expect(lines).toEqual([
      expect.objectContaining({ level: ERROR, msg: 'could not record an outbox row; it stays due', outboxId: refused?.id, err: expect.objectContaining({ message: expect.stringContaining(`row ${refused?.id} refused`) }) }),
    ]);
  });

  test('a drain that cannot read the outbox logs why, and the relay stays up', async () => {
    // A database that is gone: an ORM that was closed connects again when asked, and is refused.
    const goneUrl = freshDatabaseUrl('orders_relay_gone');
    const gone = await openOrdersDatabase(goneUrl, 1);
    await gone.close();
    await orm.em.fork().execute(`drop database "${new URL(goneUrl).pathname.slice(1)}"`);
    const { logger, records: lines } = capturedLog();
    const relay = relayWith({ orm: gone, logger });
    try {
      relay.wake();
      // stop() waits for the drain under way: its failure is logged by then.
      await relay.stop();
    } finally {
      await gone.close();
    }
    expect(lines).toEqual([expect.objectContaining({ level: ERROR, msg: 'outbox relay could not read the outbox', err: expect.objectContaining({ message: expect.stringContaining('does not exist') }) })]);
  });
});

describe('a start that fails', () => {
  test('because Temporal refuses the row: its error kept, backed off 1, 2, 4 … s, dead-lettered at maxAttempts and claimed no more', async () => {
    await insertRefusedRow();
    const { logger, records: lines } = capturedLog();
    const relay = relayWith({ maxAttempts: 3, logger });
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
    // Two warnings, then the error that tells an operator the row waits for them.
    const failure = expect.objectContaining({ message: expect.stringContaining('WorkflowId length exceeds limit') });
    const id = seen[0]?.id;
    expect(lines.map(({ level, msg, outboxId, attempts, err }) => ({ level, msg, outboxId, attempts, err }))).toEqual([
      { level: WARN, msg: 'starting a payment failed; will retry', outboxId: id, attempts: undefined, err: failure },
      { level: WARN, msg: 'starting a payment failed; will retry', outboxId: id, attempts: undefined, err: failure },
      { level: ERROR, msg: 'outbox row dead-lettered: it will not be retried until an operator re-arms it', outboxId: id, attempts: 3, err: failure },
    ]);
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
    const [row] = await orm.em.fork().execute<{ id: string; payload: PaymentRequest }[]>('select id, payload from outbox_messages');
    const { logger, records: lines } = capturedLog();
    await relayWith({ temporal: failingClient('refused'), logger }).publishBatch();
    expect(lines).toEqual([
      expect.objectContaining({
        level: WARN,
        msg: 'starting a payment failed; will retry',
        outboxId: row?.id,
        err: expect.objectContaining({ message: 'refused' }),
        orderId,
        requestId: row?.payload.requestId,
      }),
    ]);
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
