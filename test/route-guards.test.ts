import { createGateway } from '../services/gateway/app.ts';
import { readGatewayConfig } from '../services/gateway/config.ts';
import { serve } from '../lib/http/server.ts';
import { startStack, testLogger, type Stack } from '../harness/stack.ts';
import { request } from '../harness/http.ts';

// A route matches its path in any case (/API/orders, as before the route table), so whatever
// guards it must match in any case too: authentication, then the per-user limit. Attached with
// router.use(), they matched /api only as written, and /API/... reached the services as the user
// 'undefined' (the gateway's x-user-id of a request it never authenticated).

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

test.each([
  ['POST', '/API/account'],
  ['GET', '/Api/account'],
  ['POST', '/API/account/deposits'],
  ['POST', '/API/orders'],
  ['GET', '/API/orders'],
  ['GET', '/API/orders/00000000-0000-0000-0000-000000000000'],
])('%s %s without a token is 401 and changes nothing', async (method, path) => {
  const answer = await request(stack.gatewayUrl, method, path, {
    body: method === 'POST' ? { amount: 100, description: 'x' } : undefined,
    headers: { 'idempotency-key': crypto.randomUUID() },
  });
  expect([method, path, answer.status]).toEqual([method, path, 401]);
  const [row] = await stack.paymentsOrm.em.fork().execute<{ count: string }[]>(`select count(*) from accounts where user_id = 'undefined'`);
  expect(Number(row?.count)).toBe(0);
});

// The request metrics label an answer by its route: a 401 (or a per-user 429) is counted under
// the route it was asked of, not under the guards' own pattern.
test('a refused request is counted under its route, with the status it was answered', async () => {
  const gateway = await createGateway(
    readGatewayConfig({
      GATEWAY_DATABASE_URL: stack.gatewayDatabaseUrl,
      PAYMENTS_URL: stack.paymentsUrl,
      ORDERS_URL: stack.ordersUrl,
      JWT_SECRET: stack.jwtSecret,
      INTERNAL_TOKEN: stack.internalToken,
    }),
    testLogger,
  );
  const server = await serve(gateway.app, '127.0.0.1', 0);
  try {
    expect((await request(server.url, 'GET', '/api/orders')).status).toBe(401);
    const counted = (await gateway.metrics.registry.metrics()).split('\n').filter((line) => line.startsWith('http_request_duration_seconds_count'));
    // Counted under the route asked for, with the status the client got (not Koa's 404 placeholder).
    expect(counted.find((line) => line.includes('route="/api/orders"'))).toContain('status="401"');
  } finally {
    await server.close();
    await gateway.close();
  }
});
