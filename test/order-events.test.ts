import { openEventStream } from './helpers/event-stream.ts';
import { request } from './helpers/http.ts';
import { useRunningShop } from './helpers/saga.ts';

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
