import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConfigError } from '../lib/config.ts';
import { serve, type RunningServer } from '../lib/http/server.ts';
import { readGatewayConfig, WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { Instances } from '../services/gateway/instances.ts';
import { createOrdersApp } from '../services/orders/app.ts';
import { readOrdersConfig } from '../services/orders/config.ts';
import { freePort } from '../harness/free-port.ts';
import { request } from '../harness/http.ts';
import { serveGatewayFor, startStack, testLogger, type Stack } from '../harness/stack.ts';
import { until } from './helpers/eventually.ts';

// ORDERS_URL (and PAYMENTS_URL) name several instances of a service: the gateway spreads the
// requests over them, passes over one that refuses connections with no error for the caller, and
// never sends a request twice once it may have reached an instance.

const SKIP_DEAD_MS = 500;
let stack: Stack;
let second: { app: ReturnType<typeof createOrdersApp>; server: RunningServer; port: number };
/** Requests each orders instance received, by its URL. */
const received = new Map<string, number>();

/** Counts the API requests a server receives (not the gateway's readiness checks). */
function count(server: Server, url: string): void {
  received.set(url, 0);
  server.on('request', (req: { url?: string }) => {
    if (req.url?.startsWith('/api/')) received.set(url, (received.get(url) ?? 0) + 1);
  });
}

/** A second orders service on the stack's database, on `port` (a free one if 0). */
async function startSecondOrders(port = 0) {
  const config = readOrdersConfig({ ORDERS_DATABASE_URL: stack.ordersDatabaseUrl, INTERNAL_TOKEN: stack.internalToken });
  const app = createOrdersApp(stack.ordersOrm, config, testLogger);
  const server = await serve(app.app, '127.0.0.1', port);
  count(server.server, server.url);
  return { app, server, port: (server.server.address() as AddressInfo).port };
}
async function stopSecondOrders() {
  await second.server.close();
  await second.app.close();
}

beforeAll(async () => {
  stack = await startStack();
  second = await startSecondOrders();
});
afterAll(async () => {
  if (second.server.server.listening) await stopSecondOrders();
  await stack.stop();
});

/** A gateway in front of these orders instances. */
const gatewayTo = (...urls: string[]) =>
  serveGatewayFor(stack, { ...WITHOUT_RATE_LIMITS, ORDERS_URL: urls.join(','), UPSTREAM_SKIP_DEAD_MS: String(SKIP_DEAD_MS), UPSTREAM_TIMEOUT_MS: '2000' });

/** One more orders service on the stack's database, on `port` (a free one if 0), counted, closed by the test. */
async function countedStackOrders(port = 0): Promise<RunningServer> {
  const config = readOrdersConfig({ ORDERS_DATABASE_URL: stack.ordersDatabaseUrl, INTERNAL_TOKEN: stack.internalToken });
  const app = createOrdersApp(stack.ordersOrm, config, testLogger);
  const server = await serve(app.app, '127.0.0.1', port);
  count(server.server, server.url);
  return {
    ...server,
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}

const ordersOf = async (userId: string) => (await stack.ordersOrm.em.fork().execute<{ id: string }[]>('select id from orders where user_id = ?', [userId])).length;
const placeOrder = async (gatewayUrl: string, token: string, key: string) =>
  request(gatewayUrl, 'POST', '/api/orders', { token, body: { amount: 10, description: 'spread' }, headers: { 'idempotency-key': key } });

test('with both instances up, the requests are shared between them in turn', async () => {
  const first = await countedStackOrders();
  const gateway = await gatewayTo(first.url, second.server.url);
  try {
    const token = await stack.tokenFor('ada');
    for (let index = 0; index < 20; index += 1) expect((await request(gateway.url, 'GET', '/api/orders', { token })).status).toBe(200);
    expect([received.get(first.url), received.get(second.server.url)]).toEqual([10, 10]);
  } finally {
    await gateway.close();
    await first.close();
  }
});

test('one instance stopped: every request is answered by the other, with no error; once back, it gets its share again', async () => {
  const first = await countedStackOrders();
  const gateway = await gatewayTo(first.url, second.server.url);
  try {
    const token = await stack.tokenFor('bea');
    await stopSecondOrders();
    const secondBefore = received.get(second.server.url);
    const statuses = [];
    for (let index = 0; index < 20; index += 1) statuses.push((await placeOrder(gateway.url, token, `bea-${index}`)).status);
    expect(statuses).toEqual(Array(20).fill(202));
    expect(received.get(first.url)).toBe(20);
    expect(received.get(second.server.url)).toBe(secondBefore);
    expect(await ordersOf('bea')).toBe(20);

    // Back on its port: after the pass-over time it is in the turn again.
    second = await startSecondOrders(second.port);
    await new Promise((resolve) => setTimeout(resolve, SKIP_DEAD_MS));
    for (let index = 0; index < 4; index += 1) expect((await request(gateway.url, 'GET', '/api/orders', { token })).status).toBe(200);
    expect(received.get(second.server.url)).toBe(2);
  } finally {
    await gateway.close();
    await first.close();
  }
});

test('an instance that dies after it received the request: 504 with the Idempotency-Key advice, and the request is not sent to the other', async () => {
  // It reads the whole request, then its connection is gone: whatever it did is unknown.
  const dying = createServer((req) => {
    req.resume();
    req.on('end', () => req.socket.destroy());
  });
  await new Promise<void>((resolve) => dying.listen(0, '127.0.0.1', resolve));
  const dyingUrl = `http://127.0.0.1:${(dying.address() as AddressInfo).port}`;
  count(dying, dyingUrl);
  const live = await countedStackOrders();
  const gateway = await gatewayTo(dyingUrl, live.url);
  try {
    const token = await stack.tokenFor('cyd');
    const answers = [];
    for (let index = 0; index < 4; index += 1) answers.push(await placeOrder(gateway.url, token, `cyd-${index}`));
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 202, 504, 504]);
    for (const answer of answers.filter((candidate) => candidate.status === 504)) {
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body.detail).toMatch(/retry with the same Idempotency-Key/);
    }
    // Each request reached exactly one instance: none was sent again.
    expect([received.get(dyingUrl), received.get(live.url)]).toEqual([2, 2]);
    expect(await ordersOf('cyd')).toBe(2);
  } finally {
    await gateway.close();
    await live.close();
    dying.close();
  }
});

test('the gateway reaches an instance over a few kept-alive connections, and closes them when it stops', async () => {
  const instance = await countedStackOrders();
  let opened = 0;
  let open = 0;
  instance.server.on('connection', (socket: Socket) => {
    opened += 1;
    open += 1;
    socket.once('close', () => (open -= 1));
  });
  const gateway = await gatewayTo(instance.url);
  try {
    const token = await stack.tokenFor('flo');
    for (let index = 0; index < 20; index += 1) expect((await request(gateway.url, 'GET', '/api/orders', { token })).status).toBe(200);
    for (let round = 0; round < 2; round += 1) {
      const statuses = await Promise.all(Array.from({ length: 10 }, async () => (await request(gateway.url, 'GET', '/api/orders', { token })).status));
      expect(statuses).toEqual(Array(10).fill(200));
    }
    expect(received.get(instance.url)).toBe(40);
    // A connection per request in flight at most, each kept for the next: 40 requests, at most 10 connections.
    expect(opened).toBeLessThanOrEqual(10);
  } finally {
    await gateway.close();
  }
  // A stopped gateway leaves no connection open on the service, not even an idle one waiting for its time-out.
  try {
    await until(() => open === 0, "the gateway's connections to close", 1_000);
  } finally {
    await instance.close();
  }
});

test('an instance that stopped and came back on its port is reached afresh: no connection kept to it before costs an order', async () => {
  const first = await countedStackOrders();
  const port = Number(new URL(first.url).port);
  const gateway = await gatewayTo(first.url);
  let back: RunningServer | undefined;
  try {
    const token = await stack.tokenFor('gus');
    // Connections kept to it: a few requests at once.
    const reads = await Promise.all(Array.from({ length: 4 }, () => request(gateway.url, 'GET', '/api/orders', { token })));
    expect(reads.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    await first.close();
    back = await countedStackOrders(port);
    // It is the only instance: a change sent down a dead connection would be a 504, not passed on.
    const statuses = [];
    for (let index = 0; index < 4; index += 1) statuses.push((await placeOrder(gateway.url, token, `gus-${index}`)).status);
    expect(statuses).toEqual([202, 202, 202, 202]);
    expect(await ordersOf('gus')).toBe(4);
  } finally {
    await gateway.close();
    await back?.close();
  }
});

test('an instance that refused a connection is tried last, for the pass-over time only', async () => {
  const instances = new Instances(['http://a', 'http://b', 'http://c'], 200);
  expect([instances.forRequest(), instances.forRequest(), instances.forRequest()]).toEqual([
    ['http://a', 'http://b', 'http://c'],
    ['http://b', 'http://c', 'http://a'],
    ['http://c', 'http://a', 'http://b'],
  ]);
  instances.markDead('http://b');
  expect(instances.passedOver()).toBe(1);
  expect([instances.forRequest(), instances.forRequest(), instances.forRequest()]).toEqual([
    ['http://a', 'http://c', 'http://b'],
    ['http://c', 'http://a', 'http://b'],
    ['http://c', 'http://a', 'http://b'],
  ]);
  await new Promise((resolve) => setTimeout(resolve, 250));
  expect(instances.passedOver()).toBe(0);
  expect(instances.forRequest()).toEqual(['http://a', 'http://b', 'http://c']);
  instances.markDead('http://a');
  instances.markAlive('http://a');
  expect(instances.forRequest()).toEqual(['http://b', 'http://c', 'http://a']);
});

test("an instance passed over shows in the gateway's metrics: the callers saw no error", async () => {
  const gateway = await serveGatewayFor(stack, { ...WITHOUT_RATE_LIMITS, ORDERS_URL: `http://127.0.0.1:${await freePort()},${stack.ordersUrl}`, UPSTREAM_SKIP_DEAD_MS: '60000' });
  const passedOver = async () => /gateway_upstream_instances_passed_over\{[^}]*service="orders"[^}]*\} (\d+)/.exec(await gateway.metrics.registry.metrics())?.[1];
  try {
    expect(await passedOver()).toBe('0');
    const token = await stack.tokenFor('dot');
    expect((await request(gateway.url, 'GET', '/api/orders', { token })).status).toBe(200);
    expect(await passedOver()).toBe('1');
  } finally {
    await gateway.close();
  }
});

test('an instance passed over is back in the turn as soon as it answers, before its pass-over time is up', async () => {
  const port = await freePort();
  let first: RunningServer | undefined;
  const other = await countedStackOrders();
  const gateway = await serveGatewayFor(stack, { ...WITHOUT_RATE_LIMITS, ORDERS_URL: `http://127.0.0.1:${port},${other.url}`, UPSTREAM_SKIP_DEAD_MS: '60000' });
  const passedOver = async () => /gateway_upstream_instances_passed_over\{[^}]*service="orders"[^}]*\} (\d+)/.exec(await gateway.metrics.registry.metrics())?.[1];
  try {
    const token = await stack.tokenFor('eve');
    // The first is not up yet: passed over, and the other answers.
    expect((await request(gateway.url, 'GET', '/api/orders', { token })).status).toBe(200);
    expect(await passedOver()).toBe('1');
    // Now the first is up and the other down: the other is tried first and refuses, the first answers.
    first = await countedStackOrders(port);
    await other.close();
    expect((await request(gateway.url, 'GET', '/api/orders', { token })).status).toBe(200);
    expect(received.get(first.url)).toBe(1);
    // Only the other is passed over now: the first came back with its answer, not after a minute.
    expect(await passedOver()).toBe('1');
  } finally {
    await gateway.close();
    await first?.close();
    if (other.server.listening) await other.close();
  }
});

test('the gateway is ready while one instance of each service answers', async () => {
  await stopSecondOrders();
  const gateway = await gatewayTo(second.server.url, stack.ordersUrl);
  try {
    expect((await request(gateway.url, 'GET', '/readyz')).status).toBe(200);
  } finally {
    await gateway.close();
  }
});

test.each([
  ['ftp://orders:8002', 'entry 1: expected an http:// or https:// URL'],
  ['http://orders:8002,not a url', 'entry 2: expected an http:// or https:// URL'],
  ['http://orders:8002,,http://orders-2:8002', 'entry 2: expected an http:// or https:// URL'],
  ['http://svc:s3cret@orders:8002', 'entry 1: must not carry a user name or password'],
  ['http://orders:8002/api', 'entry 1: expected scheme://host:port alone, without a path, query or fragment'],
  ['http://orders:8002, http://orders:8002/', 'entry 2: repeats entry 1'],
])('ORDERS_URL=%s is refused at start: %s', (list, message) => {
  const env = { ORDERS_URL: list, GATEWAY_DATABASE_URL: stack.gatewayDatabaseUrl, JWT_SECRET: stack.jwtSecret, INTERNAL_TOKEN: stack.internalToken };
  expect(() => readGatewayConfig(env)).toThrow(ConfigError);
  expect(() => readGatewayConfig(env)).toThrow(`ORDERS_URL: ${message}`);
  expect(() => readGatewayConfig(env)).not.toThrow(/s3cret/);
});

test('a list of instances is read as their origins, in order', () => {
  const env = { ORDERS_URL: 'http://orders-1:8002, https://orders-2.internal/', GATEWAY_DATABASE_URL: stack.gatewayDatabaseUrl, JWT_SECRET: stack.jwtSecret, INTERNAL_TOKEN: stack.internalToken };
  expect(readGatewayConfig(env).ORDERS_URL).toEqual(['http://orders-1:8002', 'https://orders-2.internal']);
});
