// Orders guarantees checked straight against PostgreSQL, each one found unchecked by the mutation
// run (npm run mutation): what placeOrder writes, answers and announces, what completeOrder moves
// and announces, how order events reach (only) their subscribers, and the open subscriptions the
// orders service's metrics count.
import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import pg from 'pg';
import type { Orm } from '../lib/database/open-database.ts';
import { INTERNAL_TOKEN_HEADER, USER_ID_HEADER } from '../lib/http/internal-auth.ts';
import { serve } from '../lib/http/server.ts';
import { SagaConflict } from '../lib/saga-conflict.ts';
import { createOrdersApp } from '../services/orders/app.ts';
import { readOrdersConfig } from '../services/orders/config.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { completeOrder, ORDER_STATUS_CHANNEL } from '../services/orders/orders/complete-order.ts';
import { OrderEvents, type Subscriber } from '../services/orders/orders/order-events.ts';
import { placeOrder, type OrderJson } from '../services/orders/orders/orders.repository.ts';
import { OUTBOX_CHANNEL } from '../services/orders/outbox/outbox-message.entity.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { capturedLog } from './helpers/captured-log.ts';
import { until } from './helpers/eventually.ts';
import { testLogger } from '../harness/stack.ts';

let orm: Orm;
let databaseUrl: string;
let listener: pg.Client;
const heard: { channel: string; payload: string }[] = [];
beforeAll(async () => {
  databaseUrl = freshDatabaseUrl('orders_mutation');
  orm = await openOrdersDatabase(databaseUrl, 2);
  listener = new pg.Client({ connectionString: databaseUrl });
  await listener.connect();
  listener.on('notification', ({ channel, payload }) => heard.push({ channel, payload: payload ?? '' }));
  await listener.query(`listen "${OUTBOX_CHANNEL}"; listen "${ORDER_STATUS_CHANNEL}"`);
});
afterAll(async () => {
  await listener.end();
  await orm.close();
});

/** The notifications on `channel` that `act` caused: a notification comes before `select 1`'s answer on the listening session. */
async function heardDuring(channel: string, act: () => Promise<unknown>): Promise<string[]> {
  heard.length = 0;
  await act();
  await listener.query('select 1');
  return heard.filter((notification) => notification.channel === channel).map(({ payload }) => payload);
}

const place = (userId: string, requestId = randomUUID()) =>
  placeOrder(orm.em.fork(), userId, { amount: 250, description: 'Coffee' }, { currency: 'EUR', requestId });

async function orderRow(id: string) {
  const [row] = await orm.em.fork().execute<{ status: string; failure_reason: string | null; updated_at: string }[]>(
    `select status, failure_reason, to_json(updated_at) #>> '{}' as updated_at from orders where id = ?`,
    [id],
  );
  return row;
}

describe('placeOrder', () => {
  test('writes a NEW order and the payment request the relay needs, due at once, and wakes the relay', async () => {
    const requestId = randomUUID();
    let orderId = '';
    const woken = await heardDuring(OUTBOX_CHANNEL, async () => (orderId = (await place('amy', requestId)).id));
    expect(woken).toEqual([orderId]);
    expect(await orderRow(orderId)).toMatchObject({ status: 'NEW', failure_reason: null });
    const rows = await orm.em.fork().execute<Record<string, unknown>[]>(
      `select type, payload, attempts, last_error, published_at, dead_at, next_attempt_at <= now() as due from outbox_messages where aggregate_id = ?`,
      [orderId],
    );
    expect(rows).toEqual([
      {
        type: 'PaymentRequested',
        payload: { orderId, userId: 'amy', amount: 250, currency: 'EUR', requestId },
        attempts: 0,
        last_error: null,
        published_at: null,
        dead_at: null,
        due: true,
      },
    ]);
  });

  test('answers the order as written, and does its work in a span of its own that names the order', async () => {
    const spans = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
    try {
      const order = await place('amy');
      const [row] = await orm.em.fork().execute<{ created_at: string; updated_at: string }[]>('select created_at, updated_at from orders where id = ?', [order.id]);
      expect(order).toEqual({
        id: order.id,
        amount: 250,
        currency: 'EUR',
        description: 'Coffee',
        status: 'NEW',
        failureReason: null,
        createdAt: new Date(row?.created_at ?? '').toISOString(),
        updatedAt: new Date(row?.updated_at ?? '').toISOString(),
      });
      expect(spans.getFinishedSpans().map(({ name, attributes }) => ({ name, attributes }))).toEqual([{ name: 'place order', attributes: { orderId: order.id } }]);
    } finally {
      trace.disable();
    }
  });
});

describe('completeOrder', () => {
  test.each([
    ['PAID', 'PAID', null],
    ['INSUFFICIENT_FUNDS', 'CANCELLED', 'INSUFFICIENT_FUNDS'],
    ['NO_ACCOUNT', 'CANCELLED', 'NO_ACCOUNT'],
    ['CURRENCY_MISMATCH', 'CANCELLED', 'CURRENCY_MISMATCH'],
    ['VOID', 'CANCELLED', 'PAYMENT_ABANDONED'],
  ] as const)('%s moves a NEW order to %s (%s), announces it to its owner once, and a repeat changes nothing', async (outcome, status, failureReason) => {
    const order = await place('ben');
    const placed = await orderRow(order.id);
    const announced = await heardDuring(ORDER_STATUS_CHANNEL, async () => expect(await completeOrder(orm.em.fork(), order.id, outcome)).toBe(true));
    const moved = await orderRow(order.id);
    expect(moved).toMatchObject({ status, failure_reason: failureReason });
    expect(Date.parse(moved?.updated_at ?? '')).toBeGreaterThan(Date.parse(placed?.updated_at ?? ''));
    expect(announced.map((payload) => JSON.parse(payload))).toEqual([
      { userId: 'ben', order: expect.objectContaining({ id: order.id, status, failureReason, updatedAt: new Date(moved?.updated_at ?? '').toISOString() }) },
    ]);

    expect(await heardDuring(ORDER_STATUS_CHANNEL, async () => expect(await completeOrder(orm.em.fork(), order.id, outcome)).toBe(false))).toEqual([]);
    expect(await orderRow(order.id)).toEqual(moved);
  });

  test('a cancelled order told another reason for cancelling is a conflict, and stays as it was', async () => {
    const order = await place('cleo');
    await completeOrder(orm.em.fork(), order.id, 'NO_ACCOUNT');
    const cancelled = await orderRow(order.id);
    await expect(completeOrder(orm.em.fork(), order.id, 'INSUFFICIENT_FUNDS')).rejects.toMatchObject({
      kind: 'CONFLICTING_OUTCOME',
      message: `order ${order.id} is CANCELLED, the payment says INSUFFICIENT_FUNDS`,
      details: { orderId: order.id, outcome: 'INSUFFICIENT_FUNDS', status: 'CANCELLED', failureReason: 'NO_ACCOUNT' },
    });
    await expect(completeOrder(orm.em.fork(), order.id, 'PAID')).rejects.toBeInstanceOf(SagaConflict);
    expect(await orderRow(order.id)).toEqual(cancelled);
  });

  test('an order that does not exist is a conflict, never a silent success', async () => {
    const id = randomUUID();
    await expect(completeOrder(orm.em.fork(), id, 'PAID')).rejects.toMatchObject({
      kind: 'CONFLICTING_OUTCOME',
      message: `order ${id} is missing, the payment says PAID`,
      details: { orderId: id, outcome: 'PAID', status: null, failureReason: null },
    });
  });
});

describe('order events', () => {
  const quiet = (): Subscriber => ({ onOrder: () => undefined, onResume: () => undefined, onClose: () => undefined });
  const announce = (userId: string, id: string) =>
    orm.em.fork().execute('select pg_notify(?, ?)', [ORDER_STATUS_CHANNEL, JSON.stringify({ userId, order: { id } as OrderJson })]);

  test('every subscriber hears that the connection is up, an unsubscribed one hears no more, and closing tells every one', async () => {
    const events = new OrderEvents(databaseUrl, testLogger);
    const log: string[] = [];
    const subscriber = (name: string): Subscriber => ({
      onOrder: (order) => log.push(`${name} order ${order.id}`),
      onResume: () => log.push(`${name} resumed`),
      onClose: () => log.push(`${name} closed`),
    });
    events.subscribe('dana', subscriber('dana-1'));
    const stopSecond = events.subscribe('dana', subscriber('dana-2'));
    events.subscribe('eli', subscriber('eli'));
    await until(() => log.length >= 3, 'every subscriber told the connection is up');
    expect(log.sort()).toEqual(['dana-1 resumed', 'dana-2 resumed', 'eli resumed']);

    log.length = 0;
    stopSecond();
    await announce('dana', 'one');
    await announce('eli', 'two');
    await until(() => log.length >= 2, 'both announced orders heard');
    expect(log).toEqual(['dana-1 order one', 'eli order two']);

    log.length = 0;
    await events.close();
    expect(log.sort()).toEqual(['dana-1 closed', 'eli closed']);
    // Closed is closed: a second close (a shutdown that runs twice) tells no one again.
    await events.close();
    expect(log).toHaveLength(2);
  });

  test('a change for a user no one follows is dropped quietly: nothing delivered, nothing logged', async () => {
    const { logger, records } = capturedLog();
    const events = new OrderEvents(databaseUrl, logger);
    const ids: string[] = [];
    let resumed = 0;
    try {
      events.subscribe('hal', { ...quiet(), onOrder: (order) => ids.push(order.id), onResume: () => resumed++ });
      await until(() => resumed >= 1, 'the LISTEN connection up');
      await announce('nobody', 'unfollowed');
      await announce('hal', 'followed');
      // Delivered in order on one connection: once Hal hears his, the other was handled.
      await until(() => ids.length >= 1, 'Hal hearing his change');
      expect(ids).toEqual(['followed']);
      expect(records).toEqual([]);
    } finally {
      await events.close();
    }
  });

  test("a subscriber that throws keeps the change from no other subscriber, and one user's last unsubscribe leaves a new subscription working", async () => {
    const { logger, records } = capturedLog();
    const events = new OrderEvents(databaseUrl, logger);
    const ids: string[] = [];
    let resumed = 0;
    try {
      const broken = { ...quiet(), onOrder: () => { throw new Error('stream gone'); }, onResume: () => { throw new Error('stream gone'); } };
      events.subscribe('finn', broken);
      events.subscribe('finn', { ...quiet(), onOrder: (order) => ids.push(order.id), onResume: () => resumed++ });
      await until(() => resumed >= 1, 'the working subscriber told the connection is up');
      await announce('finn', 'first');
      await until(() => ids.length >= 1, 'the first order heard');
      // Each failure is logged for an operator, with its error: the broken subscriber's resume, then its order.
      const warning = { level: 40, msg: 'an order event could not be delivered', err: expect.objectContaining({ type: 'Error', message: 'stream gone' }) };
      expect(records).toEqual([expect.objectContaining(warning), expect.objectContaining(warning)]);

      const stop = events.subscribe('gia', quiet());
      stop();
      events.subscribe('gia', { ...quiet(), onOrder: (order) => ids.push(order.id) });
      // A stale unsubscribe, called again after the user subscribed anew, must not drop the new one.
      stop();
      await announce('gia', 'second');
      await until(() => ids.length >= 2, 'the second order heard');
      expect(ids).toEqual(['first', 'second']);
    } finally {
      await events.close();
    }
  });

  test("the orders service's metrics count its open event streams and their users, and come back to 0 once every stream has ended", async () => {
    const internalToken = randomUUID();
    const orders = createOrdersApp(orm, readOrdersConfig({ ORDERS_DATABASE_URL: databaseUrl, INTERNAL_TOKEN: internalToken }), testLogger);
    const server = await serve(orders.app, '127.0.0.1', 0);
    /** Opens a stream as the gateway would for `userId`: once its answer has begun, the subscription is in place. `end` hangs up. */
    const open = (userId: string) =>
      new Promise<{ status?: number; end: () => void }>((resolve, reject) => {
        const stream = get(`${server.url}/api/orders/events`, { headers: { [INTERNAL_TOKEN_HEADER]: internalToken, [USER_ID_HEADER]: userId } }, (answer) =>
          resolve({ status: answer.statusCode, end: () => stream.destroy() }),
        ).on('error', reject);
      });
    /** What GET /metrics answers for the two gauges. */
    const streams = async () => {
      const text = await orders.metrics.registry.metrics();
      const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1]);
      return { subscriptions: value('orders_event_subscriptions'), users: value('orders_event_subscribed_users') };
    };
    try {
      const opened = [await open('ivy'), await open('ivy'), await open('jon')];
      expect(opened.map(({ status }) => status)).toEqual([200, 200, 200]);
      expect(await streams()).toEqual({ subscriptions: 3, users: 2 });
      opened[0]?.end();
      await until(async () => (await streams()).subscriptions === 2, "one of Ivy's two streams ended");
      expect(await streams()).toEqual({ subscriptions: 2, users: 2 });
      for (const { end } of opened) end();
      await until(async () => (await streams()).subscriptions === 0, 'every stream ended');
      // No user is kept once the last of the user's streams has ended: else one entry per user ever connected.
      expect(await streams()).toEqual({ subscriptions: 0, users: 0 });
    } finally {
      await orders.close();
      await server.close();
    }
  });
});
