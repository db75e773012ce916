import pg from 'pg';
import { freePort } from '../harness/free-port.ts';
import type { RunningServer } from '../lib/http/server.ts';
import { WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { clientAddress } from '../services/gateway/limits/client-address.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { openEventStream } from './helpers/event-stream.ts';
import { request, type Answer } from '../harness/http.ts';
import { serveGateway, startStack, type Stack } from '../harness/stack.ts';

// Real gateways on the real services, sharing one real PostgreSQL database for their limits.

let stack: Stack;
const gateways: RunningServer[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await stack.stop();
});

/** A gateway replica beside the stack's, on the same services and (unless told) the same limits database. */
async function replica(limits: Record<string, string>, databaseUrl = stack.gatewayDatabaseUrl): Promise<string> {
  const gateway = await serveGateway({
    GATEWAY_DATABASE_URL: databaseUrl,
    PAYMENTS_URL: stack.paymentsUrl,
    ORDERS_URL: stack.ordersUrl,
    JWT_SECRET: stack.jwtSecret,
    INTERNAL_TOKEN: stack.internalToken,
    ...WITHOUT_RATE_LIMITS,
    ...limits,
  });
  gateways.push(gateway);
  return gateway.url;
}

function expectTooMany(answer: Answer, windowSeconds: number): void {
  expect(answer.status).toBe(429);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(answer.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

async function ordersOf(userId: string): Promise<number> {
  const [row] = await stack.ordersOrm.em.fork().execute<{ count: string }[]>('select count(*) as count from orders where user_id = ?', [userId]);
  return Number(row?.count);
}

test('over the per-user limit an order answers 429 with Retry-After, and no order is placed', async () => {
  const gateway = await replica({ RATE_LIMIT_PER_USER: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
  await stack.fundedClientFor('limited-buyer', 1_000);
  const token = await stack.tokenFor('limited-buyer');
  const order = (key: string) => request(gateway, 'POST', '/api/orders', { token, body: { amount: 10, description: 'tea' }, headers: { 'idempotency-key': key } });
  for (const key of ['a', 'b', 'c']) expect((await order(key)).status).toBe(202);
  expectTooMany(await order('d'), 60);
  expect(await ordersOf('limited-buyer')).toBe(3);
  // Someone else is not held back by it.
  const other = await stack.tokenFor('unlimited-buyer');
  expect((await request(gateway, 'GET', '/api/orders', { token: other })).status).toBe(200);
});

test('a client over the limit is refused without touching the database again', async () => {
  const gateway = await replica({ RATE_LIMIT_PER_USER: '2' });
  const token = await stack.tokenFor('flooder');
  const statuses: number[] = [];
  for (let index = 0; index < 8; index++) statuses.push((await request(gateway, 'GET', '/api/orders', { token })).status);
  expect(statuses).toEqual([200, 200, 429, 429, 429, 429, 429, 429]);
  const database = new pg.Client({ connectionString: stack.gatewayDatabaseUrl });
  await database.connect();
  try {
    const { rows } = await database.query<{ points: number }>(`select points from rate_limits where key = 'user:flooder'`);
    // The two let through and the one that found the limit.
    expect(rows).toEqual([{ points: 3 }]);
  } finally {
    await database.end();
  }
});

test('two gateway replicas share one count per user', async () => {
  const [first, second] = [await replica({ RATE_LIMIT_PER_USER: '4' }), await replica({ RATE_LIMIT_PER_USER: '4' })];
  const token = await stack.tokenFor('two-doors');
  const statuses: number[] = [];
  for (const gateway of [first, second, first, second, first, second]) statuses.push((await request(gateway, 'GET', '/api/orders', { token })).status);
  expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
});

test('the per-address limit counts every request from an address, token or not; health checks are not counted', async () => {
  const gateway = await replica({ RATE_LIMIT_PER_ADDRESS: '3', RATE_LIMIT_WINDOW_SECONDS: '30' });
  expect((await request(gateway, 'GET', '/')).status).toBe(200);
  expect((await request(gateway, 'GET', '/api/account')).status).toBe(401);
  expect((await request(gateway, 'GET', '/openapi.json')).status).toBe(200);
  expectTooMany(await request(gateway, 'GET', '/api/account', { token: await stack.tokenFor('anyone') }), 30);
  expectTooMany(await request(gateway, 'POST', '/storefront/sign-in', { body: { userId: 'someone' } }), 30);
  expect((await request(gateway, 'GET', '/healthz')).status).toBe(200);
});

test('at most EVENT_STREAMS_PER_USER event streams per user are open at once, across replicas; a closed one frees its place', async () => {
  const [first, second] = [await replica({ EVENT_STREAMS_PER_USER: '2' }), await replica({ EVENT_STREAMS_PER_USER: '2' })];
  const token = await stack.tokenFor('watcher');
  const streams = [await openEventStream(`${first}/api/orders/events`, token), await openEventStream(`${second}/api/orders/events`, token)];
  expect(streams.map((stream) => stream.status)).toEqual([200, 200]);
  try {
    const third = await openEventStream(`${first}/api/orders/events`, token);
    third.close();
    expect(third.status).toBe(429);
    const retry = await request(second, 'GET', '/api/orders/events', { token });
    expectTooMany(retry, 60);
    // Another user has places of their own.
    const other = await openEventStream(`${second}/api/orders/events`, await stack.tokenFor('other-watcher'));
    other.close();
    expect(other.status).toBe(200);

    streams.shift()?.close();
    let again = 0;
    for (const deadline = Date.now() + 5_000; again !== 200 && Date.now() < deadline; ) {
      const stream = await openEventStream(`${second}/api/orders/events`, token);
      again = stream.status;
      if (again === 200) streams.push(stream);
      else {
        stream.close();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(again).toBe(200);
  } finally {
    for (const stream of streams) stream.close();
  }
});

test('a stream that fails to open gives its place back', async () => {
  // A claimed port nothing listens on: the stream is never delivered (fetch refuses port 9 itself).
  const gateway = await replica({ EVENT_STREAMS_PER_USER: '1', ORDERS_URL: `http://127.0.0.1:${await freePort()}` });
  const token = await stack.tokenFor('unlucky-watcher');
  // A slow release (a busy database) must still land before the client hears the 503 and tries again.
  const database = new pg.Client({ connectionString: stack.gatewayDatabaseUrl });
  await database.connect();
  await database.query(`create function slow_lease_release() returns trigger language plpgsql as $$ begin perform pg_sleep(0.3); return old; end $$`);
  await database.query('create trigger slow_lease_release before delete on event_stream_leases for each row execute function slow_lease_release()');
  try {
    const statuses: number[] = [];
    for (let index = 0; index < 3; index++) statuses.push((await request(gateway, 'GET', '/api/orders/events', { token })).status);
    expect(statuses).toEqual([503, 503, 503]);
  } finally {
    await database.query('drop trigger slow_lease_release on event_stream_leases');
    await database.query('drop function slow_lease_release()');
    await database.end();
  }
});

test("a replica that died holds no places: its leases run out", async () => {
  const gateway = await replica({ EVENT_STREAMS_PER_USER: '2' });
  const database = new pg.Client({ connectionString: stack.gatewayDatabaseUrl });
  await database.connect();
  try {
    // What a replica killed in mid-stream leaves behind, once it has stopped renewing them.
    await database.query(
      `insert into event_stream_leases (id, user_id, expires_at) values (gen_random_uuid(), 'orphaned', now() - interval '1 second'), (gen_random_uuid(), 'orphaned', now() - interval '1 second')`,
    );
    const stream = await openEventStream(`${gateway}/api/orders/events`, await stack.tokenFor('orphaned'));
    stream.close();
    expect(stream.status).toBe(200);
  } finally {
    await database.end();
  }
});

test('while its database is gone, a replica limits each user in its own memory, and streams answer 503: nothing fails with a 500', async () => {
  const doomedUrl = freshDatabaseUrl('gateway_doomed');
  const gateway = await replica({ RATE_LIMIT_PER_USER: '2', EVENT_STREAMS_PER_USER: '2' }, doomedUrl);
  const token = await stack.tokenFor('stranded');
  expect((await request(gateway, 'GET', '/api/orders', { token })).status).toBe(200);
  // Its connections are cut and none can be made again (the gateway must survive the cut too).
  const server = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
  await server.connect();
  try {
    await server.query(`drop database "${new URL(doomedUrl).pathname.slice(1)}" with (force)`);
  } finally {
    await server.end();
  }
  const statuses: number[] = [];
  for (let index = 0; index < 3; index++) statuses.push((await request(gateway, 'GET', '/api/orders', { token })).status);
  expect(statuses).toEqual([200, 200, 429]);
  const stream = await request(gateway, 'GET', '/api/orders/events', { token: await stack.tokenFor('stranded-watcher') });
  expect(stream.status).toBe(503);
  expect(stream.headers.get('retry-after')).toBe('1');
});

test.each([
  ['192.0.2.7', '192.0.2.7'],
  ['::ffff:192.0.2.7', '192.0.2.7'],
  ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
  ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
  ['2001:0db8::', '2001:db8:0:0::/64'],
  ['::1', '0:0:0:0::/64'],
])('the per-address limit counts %s as %s (an IPv6 client owns its /64)', (ip, client) => {
  expect(clientAddress(ip)).toBe(client);
});
