import pg from 'pg';
import { openEventStream } from './helpers/event-stream.ts';
import { request } from '../harness/http.ts';
import { useRunningShop } from './helpers/running-shop.ts';

const shop = useRunningShop();

test('GET /api/orders/events streams an order event when one of my orders changes status, and only mine', async () => {
  const ada = await shop.stack.fundedClientFor('ada', 500);
  const bo = await shop.stack.fundedClientFor('bo', 500);
  const stream = await openEventStream(`${shop.stack.gatewayUrl}/api/orders/events`, await shop.stack.tokenFor('ada'));
  try {
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');

    await bo('POST', '/api/orders', { body: { amount: 5, description: "bo's" } });
    const mine = await ada('POST', '/api/orders', { body: { amount: 600, description: 'too dear' } });
    const event = await stream.next();
    expect(event.event).toBe('order');
    expect(JSON.parse(event.data)).toMatchObject({ id: mine.body.id, status: 'CANCELLED', failureReason: 'INSUFFICIENT_FUNDS' });

    const second = await ada('POST', '/api/orders', { body: { amount: 100, description: 'fine' } });
    expect(JSON.parse((await stream.next()).data)).toMatchObject({ id: second.body.id, status: 'PAID' });
  } finally {
    stream.close();
  }
});

test('a stream that reconnects with Last-Event-ID gets the change it missed while away', async () => {
  const cy = await shop.stack.fundedClientFor('cy', 500);
  const token = await shop.stack.tokenFor('cy');
  const first = await openEventStream(`${shop.stack.gatewayUrl}/api/orders/events`, token);
  await cy('POST', '/api/orders', { body: { amount: 100, description: 'seen live' } });
  const seen = await first.next();
  expect(JSON.parse(seen.data)).toMatchObject({ description: 'seen live', status: 'PAID' });
  expect(seen.id).toBe(JSON.parse(seen.data).updatedAt);
  first.close();

  // Away: an order is placed and paid while no stream of cy's is open.
  const missed = await cy('POST', '/api/orders', { body: { amount: 100, description: 'missed' } });
  const deadline = Date.now() + 30_000;
  while ((await cy('GET', `/api/orders/${missed.body.id}`)).body.status === 'NEW' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));

  const again = await openEventStream(`${shop.stack.gatewayUrl}/api/orders/events`, token, seen.id);
  try {
    // Snapshots since the last id (less a margin): the one already seen may come again, then the missed one.
    const replayed = [JSON.parse((await again.next(5_000)).data), JSON.parse((await again.next(5_000)).data)];
    expect(replayed.map((order: { description: string }) => order.description)).toEqual(['seen live', 'missed']);
    expect(replayed[1]).toMatchObject({ id: missed.body.id, status: 'PAID' });
  } finally {
    again.close();
  }
  // Without Last-Event-ID (or with one that is not ours), nothing is replayed.
  for (const lastEventId of [undefined, 'garbage', '-271821-04-20T00:00:00.000Z', '0000-01-01T00:00:00.000Z']) {
    const fresh = await openEventStream(`${shop.stack.gatewayUrl}/api/orders/events`, token, lastEventId);
    await expect(fresh.next(1_000)).rejects.toThrow('no event arrived in time');
    fresh.close();
  }
});

test('the event stream needs a valid token', async () => {
  const answer = await request(shop.stack.gatewayUrl, 'GET', '/api/orders/events');
  expect(answer.status).toBe(401);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
});

test('a change made while the LISTEN connection is down reaches an open stream once it is back', async () => {
  const di = await shop.stack.fundedClientFor('di', 500);
  const placed = await di('POST', '/api/orders', { body: { amount: 100, description: 'changed in the gap' } });
  const deadline = Date.now() + 30_000;
  while ((await di('GET', `/api/orders/${placed.body.id}`)).body.status === 'NEW' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const stream = await openEventStream(`${shop.stack.gatewayUrl}/api/orders/events`, await shop.stack.tokenFor('di'));
  const admin = new pg.Client({ connectionString: shop.stack.ordersDatabaseUrl });
  await admin.connect();
  try {
    // Cut every LISTEN connection, then change the order (and announce it) before they come back.
    const cut = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where query = 'listen "order_status"' and pid <> pg_backend_pid()`);
    expect(cut.rowCount).toBeGreaterThan(0);
    await admin.query('update orders set updated_at = now() where id = $1', [placed.body.id]);
    await admin.query(`select pg_notify('order_status', '')`);
    const event = await stream.next(10_000);
    expect(JSON.parse(event.data)).toMatchObject({ id: placed.body.id, status: 'PAID' });
  } finally {
    await admin.end();
    stream.close();
  }
});

test('a live event that arrives while the replay is read goes out after the replay, never before an older snapshot', async () => {
  const ed = await shop.stack.fundedClientFor('ed', 500);
  const placed = await ed('POST', '/api/orders', { body: { amount: 100, description: 'from the table' } });
  const deadline = Date.now() + 30_000;
  let order = (await ed('GET', `/api/orders/${placed.body.id}`)).body;
  while (order.status === 'NEW' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    order = (await ed('GET', `/api/orders/${placed.body.id}`)).body;
  }
  const locker = new pg.Client({ connectionString: shop.stack.ordersDatabaseUrl });
  await locker.connect();
  try {
    // The replay's read waits behind this lock while a newer change is announced.
    await locker.query('begin');
    await locker.query('lock table orders in access exclusive mode');
    const opening = openEventStream(`${shop.stack.gatewayUrl}/api/orders/events`, await shop.stack.tokenFor('ed'), order.updatedAt);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const newer = { ...order, description: 'live', updatedAt: new Date(Date.parse(order.updatedAt) + 60_000).toISOString() };
    await shop.stack.ordersOrm.em.fork().execute('select pg_notify(?, ?)', ['order_status', JSON.stringify({ userId: 'ed', order: newer })]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await locker.query('commit');
    const stream = await opening;
    try {
      const events = [await stream.next(5_000), await stream.next(5_000)];
      expect(events.map((event) => JSON.parse(event.data).description)).toEqual(['from the table', 'live']);
    } finally {
      stream.close();
    }
  } finally {
    await locker.end();
  }
});
