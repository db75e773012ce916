import { createServer, type Server } from 'node:http';
import { freePort } from '../harness/free-port.ts';
import type { RunningServer } from '../lib/http/server.ts';
import { WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { request } from '../harness/http.ts';
import { serveGateway, startStack, type Stack } from '../harness/stack.ts';

// A forward that times out after the request went out may still have done its work: the gateway
// must say so (504, retry with the same key), and the retry must not make a second order.

const TIMEOUT_MS = 300;
let stack: Stack;
let slowProxy: Server;
let gateway: RunningServer;
let delayNext = 0;
beforeAll(async () => {
  stack = await startStack();
  // Delivers every request to the real orders service, the next one only after `delayNext` ms.
  slowProxy = createServer((req, res) => {
    const delay = delayNext;
    delayNext = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      setTimeout(() => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host'));
        fetch(`${stack.ordersUrl}${req.url ?? '/'}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined })
          .then(async (answer) => {
            const body = Buffer.from(await answer.arrayBuffer());
            const relayed = [...answer.headers].filter(([name]) => !['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name));
            res.writeHead(answer.status, Object.fromEntries(relayed)).end(body);
          })
          .catch(() => res.destroy());
      }, delay);
    });
  });
  await new Promise<void>((resolve) => slowProxy.listen(0, '127.0.0.1', resolve));
  gateway = await serveGateway({
    GATEWAY_DATABASE_URL: stack.gatewayDatabaseUrl,
    ...WITHOUT_RATE_LIMITS,
    // Nothing listens there: a forward to payments is never delivered.
    PAYMENTS_URL: `http://127.0.0.1:${await freePort()}`,
    ORDERS_URL: `http://127.0.0.1:${(slowProxy.address() as { port: number }).port}`,
    JWT_SECRET: stack.jwtSecret,
    INTERNAL_TOKEN: stack.internalToken,
    UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
  });
});
afterAll(async () => {
  await gateway.close();
  slowProxy.closeAllConnections();
  slowProxy.close();
  await stack.stop();
});

const ordersOf = async (userId: string) =>
  (await stack.ordersOrm.em.fork().execute<{ id: string }[]>('select id from orders where user_id = ?', [userId])).map((row) => row.id);

test('a timed-out order answers 504 "retry with the same Idempotency-Key"; the retry gets the order it made, and there is one', async () => {
  const token = await stack.tokenFor('tessa');
  const order = { token, body: { amount: 300, description: 'slow tea' }, headers: { 'idempotency-key': 'tessa-order-1' } };
  delayNext = TIMEOUT_MS * 3;
  const first = await request(gateway.url, 'POST', '/api/orders', order);
  expect(first.status).toBe(504);
  expect(first.headers.get('content-type')).toBe('application/problem+json');
  expect(first.body.detail).toBe('The orders service did not answer in time. It may have been carried out: retry with the same Idempotency-Key.');

  // The service did it after all, once the gateway had given up.
  const deadline = Date.now() + 5_000;
  while ((await ordersOf('tessa')).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const made = await ordersOf('tessa');
  expect(made).toHaveLength(1);

  const retry = await request(gateway.url, 'POST', '/api/orders', order);
  expect(retry.status).toBe(202);
  expect(retry.headers.get('idempotent-replayed')).toBe('true');
  expect(retry.body.id).toBe(made[0]);
  expect(await ordersOf('tessa')).toEqual(made);
});

test('a service that cannot be reached answers 503 with Retry-After: nothing was delivered', async () => {
  const token = await stack.tokenFor('tessa');
  const answer = await request(gateway.url, 'POST', '/api/account/deposits', { token, body: { amount: 5 }, headers: { 'idempotency-key': 'tessa-deposit-1' } });
  expect(answer.status).toBe(503);
  expect(answer.headers.get('retry-after')).toBe('1');
  expect(answer.body.detail).toBe('The payments service is not reachable; nothing was done. Try again shortly.');
});

test('a service that does not answer its /readyz in time, like one that cannot be reached, keeps the gateway from being ready', async () => {
  delayNext = TIMEOUT_MS * 3;
  const answer = await request(gateway.url, 'GET', '/readyz');
  expect([answer.status, answer.body.detail]).toEqual([503, 'Not reachable: payments, orders.']);
});

test("an answer whose body is still coming when the time is up is a 504 within the timeout, not a 200 cut short", async () => {
  // Sends its head at once, then a byte every 50 ms, never the end: only a limit on the whole answer stops it.
  const trickling = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' }).write('[');
    const timer = setInterval(() => res.write(' '), 50);
    res.once('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => trickling.listen(0, '127.0.0.1', resolve));
  const trickled = await serveGateway({
    GATEWAY_DATABASE_URL: stack.gatewayDatabaseUrl,
    ...WITHOUT_RATE_LIMITS,
    ORDERS_URL: `http://127.0.0.1:${(trickling.address() as { port: number }).port}`,
    JWT_SECRET: stack.jwtSecret,
    INTERNAL_TOKEN: stack.internalToken,
    UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
  });
  try {
    const started = Date.now();
    const answer = await request(trickled.url, 'GET', '/api/orders', { token: await stack.tokenFor('tim') });
    expect([answer.status, answer.body.detail]).toEqual([504, 'The orders service did not answer in time. Try again.']);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2_000);
  } finally {
    await trickled.close();
    trickling.closeAllConnections();
    trickling.close();
  }
});
