import { startStack, type Stack } from '../harness/stack.ts';
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
