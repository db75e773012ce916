import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openEventStream } from './helpers/event-stream.ts';
import { request } from './helpers/http.ts';
import { startSaga } from './helpers/saga.ts';
import { startStack, type Stack } from './helpers/stack.ts';
import { startTemporalDevServer } from './helpers/temporal.ts';

let temporal: TestWorkflowEnvironment;
let stack: Stack;
let saga: { stop(): Promise<void> };
beforeAll(async () => {
  [temporal, stack] = await Promise.all([startTemporalDevServer(), startStack()]);
  saga = await startSaga(stack, temporal);
});
afterAll(async () => {
  await saga.stop();
  await stack.stop();
  await temporal.teardown();
});

test('GET /api/orders/events streams an order event when one of my orders changes status, and only mine', async () => {
  const ada = await stack.fundedClientFor('ada', 500);
  const bo = await stack.fundedClientFor('bo', 500);
  const stream = await openEventStream(`${stack.gatewayUrl}/api/orders/events`, await stack.tokenFor('ada'));
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
  const answer = await request(stack.gatewayUrl, 'GET', '/api/orders/events');
  expect(answer.status).toBe(401);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
});
