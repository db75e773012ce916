import type { z } from 'zod';
import { problemSchema } from '../lib/http/problem.ts';
import { listOrdersQuerySchema, orderPageSchema, orderSchema } from '../services/orders/orders/order.schemas.ts';
import { accountSchema } from '../services/payments/accounts/account.schemas.ts';
import { request } from '../harness/http.ts';
import { finalOrder } from '../harness/orders.ts';
import { useRunningShop } from './helpers/running-shop.ts';

const shop = useRunningShop();

const CONTRACT = [
  ['post', '/api/account'],
  ['get', '/api/account'],
  ['post', '/api/account/deposits'],
  ['post', '/api/orders'],
  ['get', '/api/orders'],
  ['get', '/api/orders/{id}'],
  ['get', '/api/orders/events'],
  ['get', '/healthz'],
  ['get', '/readyz'],
] as const;

test('/openapi.json is OpenAPI 3.1 and documents every endpoint of the contract', async () => {
  const answer = await request(shop.stack.gatewayUrl, 'GET', '/openapi.json');
  expect(answer.status).toBe(200);
  expect(answer.body.openapi).toBe('3.1.0');
  for (const [method, path] of CONTRACT) expect(answer.body.paths[path]?.[method]).toBeDefined();
  for (const [path, operations] of Object.entries(answer.body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, operation] of Object.entries(operations)) expect([method, path, Object.keys(operation.responses)]).toEqual([method, path, expect.arrayContaining(['401', '429', '503'])]);
  }
  expect(Object.keys(answer.body.components.schemas)).toEqual(expect.arrayContaining(['Account', 'Order', 'OrderPage', 'Problem']));
});

test('/docs serves a page with its assets', async () => {
  const page = await request(shop.stack.gatewayUrl, 'GET', '/docs');
  expect(page.status).toBe(200);
  expect(page.body).toContain('/docs/docs.js');
  const script = await fetch(`${shop.stack.gatewayUrl}/docs/swagger-ui-bundle.js`);
  expect(script.status).toBe(200);
  expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  const start = await request(shop.stack.gatewayUrl, 'GET', '/docs/docs.js');
  expect(start.headers.get('content-type')).toContain('text/javascript');
  expect(start.body).toContain("url: '/openapi.json'");
});

test('real answers match their documented schemas', async () => {
  const expectShape = (schema: z.ZodType, body: unknown) => expect(schema.safeParse(body).error).toBeUndefined();
  const eve = await shop.stack.clientFor('eve');
  expectShape(accountSchema, (await eve('POST', '/api/account')).body);
  expectShape(accountSchema, (await eve('POST', '/api/account/deposits', { body: { amount: 50 } })).body);
  expectShape(accountSchema, (await eve('GET', '/api/account')).body);
  const placed = await eve('POST', '/api/orders', { body: { amount: 20, description: 'shape' } });
  expectShape(orderSchema, placed.body);
  expectShape(orderSchema, (await finalOrder(eve, placed.body.id)).body);
  expectShape(orderPageSchema, (await eve('GET', '/api/orders')).body);
  for (const bad of [
    await eve('POST', '/api/account'),
    await eve('POST', '/api/account/deposits', { body: { amount: -1 } }),
    await eve('GET', '/api/orders/nope'),
    await eve('GET', '/api/orders?limit=1000'),
    await request(shop.stack.gatewayUrl, 'GET', '/api/account'),
  ]) {
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expectShape(problemSchema, bad.body);
  }
  expect(listOrdersQuerySchema.parse({})).toEqual({ limit: 20 });
});
