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

test('the event stream needs a valid token', async () => {
  const answer = await request(shop.stack.gatewayUrl, 'GET', '/api/orders/events');
  expect(answer.status).toBe(401);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
});
