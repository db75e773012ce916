import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { RunningServer } from '../lib/http/server.ts';
import pg from 'pg';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { openEventStream } from './helpers/event-stream.ts';
import { request } from '../harness/http.ts';
import { serveGateway } from '../harness/stack.ts';

// One real gateway on its own database, in front of an upstream that only counts what reaches it:
// what a client can make the gateway do without any service behind it.

let gateway: RunningServer;
const databaseUrl = freshDatabaseUrl('gateway_edges');
const jwtSecret = randomBytes(32).toString('hex');
let upstream: Server;
let upstreamRequests = 0;
let openStreams = 0;
beforeAll(async () => {
  upstream = createServer((req, res) => {
    // An event stream stays open until the gateway hangs up.
    if (req.url?.startsWith('/api/orders/events')) {
      openStreams++;
      res.once('close', () => openStreams--);
      res.writeHead(200, { 'content-type': 'text/event-stream' }).write(': open\n\n');
      return;
    }
    upstreamRequests++;
    // A slow dependency: the checks of a flood overlap.
    setTimeout(() => res.end('{"status":"ready"}'), 50);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await serveGateway({
    GATEWAY_DATABASE_URL: databaseUrl,
    PAYMENTS_URL: upstreamUrl,
    ORDERS_URL: upstreamUrl,
    JWT_SECRET: jwtSecret,
    EVENT_STREAMS_PER_USER: '2',
    INTERNAL_TOKEN: randomBytes(32).toString('hex'),
  });
});
afterAll(async () => {
  upstream.closeAllConnections();
  await gateway.close();
  await new Promise((resolve) => upstream.close(resolve));
});

/** The leases the user's streams hold in the gateway's database. */
async function leasesOf(userId: string): Promise<number> {
  const database = new pg.Client({ connectionString: databaseUrl });
  await database.connect();
  try {
    return Number((await database.query<{ count: string }>('select count(*) from event_stream_leases where user_id = $1', [userId])).rows[0]?.count);
  } finally {
    await database.end();
  }
}

const OBJECT_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
test.each(['/docs', '/storefront'].flatMap((dir) => OBJECT_NAMES.map((name) => `${dir}/${name}`)))('GET %s is a 404, not a 500', async (path) => {
  const answer = await request(gateway.url, 'GET', path);
  expect(answer.status).toBe(404);
});

test('a flood of /readyz (not limited: it is for probes) costs the services one check at a time, not two requests each', async () => {
  upstreamRequests = 0;
  const answers = await Promise.all(Array.from({ length: 100 }, () => request(gateway.url, 'GET', '/readyz')));
  expect(answers.map((answer) => answer.status)).toEqual(Array<number>(100).fill(200));
  // Two services; without sharing the checks in flight this was 200.
  expect(upstreamRequests).toBeLessThanOrEqual(20);
});

test('a stream whose lease lapsed (its renewals failed through a long database outage) and was cleared is counted again once renewed', async () => {
  const token = await signUserToken(jwtSecret, 'lapsed-watcher');
  const open = () => openEventStream(`${gateway.url}/api/orders/events`, token);
  const database = new pg.Client({ connectionString: databaseUrl });
  await database.connect();
  const streams = [await open()];
  try {
    // What a minute of failed renewals leaves: the lease of a live stream, expired.
    await database.query(`update event_stream_leases set expires_at = now() - interval '1 second' where user_id = 'lapsed-watcher'`);
    // The next stream clears it (its replica might be dead) and takes a place of its own.
    streams.push(await open());
    expect(streams.map((stream) => stream.status)).toEqual([200, 200]);
    // The first stream's next renewal (every 20 s) must put its lease back.
    for (const deadline = Date.now() + 25_000; (await leasesOf('lapsed-watcher')) < 2 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 500));
    const third = await open();
    streams.push(third);
    expect(third.status).toBe(429);
  } finally {
    for (const stream of streams) stream.close();
    await database.end();
  }
}, 40_000);

test('HEAD of the event stream holds no stream open at the service: the cap cannot be dodged by asking only for the headers', async () => {
  const token = await signUserToken(jwtSecret, 'head-watcher');
  for (let index = 0; index < 5; index++) expect((await request(gateway.url, 'HEAD', '/api/orders/events', { token })).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(openStreams).toBe(0);
});

test('a stream cut by a TCP reset gives its place back at once', async () => {
  const token = await signUserToken(jwtSecret, 'reset-watcher');
  const { port } = new URL(gateway.url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.write(`GET /api/orders/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${token}\r\n\r\n`);
  await new Promise((resolve) => socket.once('data', resolve));
  expect(await leasesOf('reset-watcher')).toBe(1);
  socket.resetAndDestroy();
  let left = 1;
  for (const deadline = Date.now() + 2_000; left > 0 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = await leasesOf('reset-watcher');
  }
  expect(left).toBe(0);
  expect(openStreams).toBe(0);
});

/** A fresh database behind a relay that can go silent: connections stay open, nothing comes back. */
async function partitionableDatabase(): Promise<{ url: string; partition: () => void; close: () => void }> {
  const postgres = new URL(process.env.TEST_POSTGRES_URL ?? '');
  let silent = false;
  const sockets: Socket[] = [];
  const relay = createNetServer((client) => {
    const server = connect(Number(postgres.port), postgres.hostname);
    sockets.push(client, server);
    client.on('data', (chunk) => silent || server.write(chunk));
    server.on('data', (chunk) => silent || client.write(chunk));
    for (const socket of [client, server]) socket.on('error', () => undefined).on('close', () => (client.destroy(), server.destroy()));
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const url = new URL(freshDatabaseUrl('gateway_partitioned'));
  url.host = `127.0.0.1:${(relay.address() as AddressInfo).port}`;
  return {
    url: url.toString(),
    partition: () => {
      silent = true;
    },
    // The partition ends by cutting every connection, so that a pool can close.
    close: () => {
      relay.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

async function partitionedGateway(limits: Record<string, string>) {
  const database = await partitionableDatabase();
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const server = await serveGateway({
    GATEWAY_DATABASE_URL: database.url,
    PAYMENTS_URL: upstreamUrl,
    ORDERS_URL: upstreamUrl,
    JWT_SECRET: jwtSecret,
    INTERNAL_TOKEN: randomBytes(32).toString('hex'),
    ...limits,
  });
  return {
    url: server.url,
    partition: database.partition,
    close: async () => {
      database.close();
      await server.close();
    },
  };
}

test('while its database does not answer at all (a partition, not a refusal), the limits cost a request a moment, not seconds', async () => {
  const partitioned = await partitionedGateway({ RATE_LIMIT_PER_ADDRESS: '1000' });
  try {
    expect((await request(partitioned.url, 'GET', '/openapi.json')).status).toBe(200);
    partitioned.partition();
    // The first requests find out (a query timeout); the ones after must not wait again.
    for (let index = 0; index < 3; index++) await request(partitioned.url, 'GET', '/openapi.json');
    const started = Date.now();
    const statuses: number[] = [];
    for (let index = 0; index < 5; index++) statuses.push((await request(partitioned.url, 'GET', '/openapi.json')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(Date.now() - started).toBeLessThan(1_000);
  } finally {
    await partitioned.close();
  }
}, 60_000);

test('a client already over the limit stays refused while the database fails (found out by another client)', async () => {
  const partitioned = await partitionedGateway({ RATE_LIMIT_PER_USER: '2' });
  const flooder = await signUserToken(jwtSecret, 'partition-flooder');
  const bystander = await signUserToken(jwtSecret, 'partition-bystander');
  const orders = (token: string) => request(partitioned.url, 'GET', '/api/orders', { token }).then((answer) => answer.status);
  try {
    const statuses: number[] = [];
    for (let index = 0; index < 3; index++) statuses.push(await orders(flooder));
    partitioned.partition();
    // The bystander's count fails on the silent database: from now on this replica counts in memory.
    expect(await orders(bystander)).toBe(200);
    for (let index = 0; index < 3; index++) statuses.push(await orders(flooder));
    expect(statuses).toEqual([200, 200, 429, 429, 429, 429]);
  } finally {
    await partitioned.close();
  }
}, 60_000);

test('streams opened all at once by one user get exactly EVENT_STREAMS_PER_USER places', async () => {
  const token = await signUserToken(jwtSecret, 'eager-watcher');
  const streams = await Promise.all(Array.from({ length: 12 }, () => openEventStream(`${gateway.url}/api/orders/events`, token)));
  try {
    expect(streams.filter((stream) => stream.status === 200)).toHaveLength(2);
    expect(streams.filter((stream) => stream.status === 429)).toHaveLength(10);
  } finally {
    for (const stream of streams) stream.close();
  }
});

test('a replica that stops (SIGTERM) gives its streams\' places back, not after a lease', async () => {
  const stopping = await serveGateway({
    GATEWAY_DATABASE_URL: databaseUrl,
    PAYMENTS_URL: gateway.url,
    ORDERS_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    JWT_SECRET: jwtSecret,
    INTERNAL_TOKEN: randomBytes(32).toString('hex'),
  });
  const streams = await Promise.all([1, 2].map(async () => openEventStream(`${stopping.url}/api/orders/events`, await signUserToken(jwtSecret, 'stopped-watcher'))));
  expect(streams.map((stream) => stream.status)).toEqual([200, 200]);
  expect(await leasesOf('stopped-watcher')).toBe(2);
  await stopping.close();
  expect(await leasesOf('stopped-watcher')).toBe(0);
}, 30_000);

test('hostile user ids (object names, an address-like id, the longest) are each counted on their own', async () => {
  const limited = await serveGateway({
    GATEWAY_DATABASE_URL: databaseUrl,
    PAYMENTS_URL: gateway.url,
    ORDERS_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    JWT_SECRET: jwtSecret,
    INTERNAL_TOKEN: randomBytes(32).toString('hex'),
    RATE_LIMIT_PER_USER: '2',
    RATE_LIMIT_PER_ADDRESS: '1000',
  });
  try {
    for (const userId of ['__proto__', 'constructor', 'toString', 'address:127.0.0.1', 'x'.repeat(128)]) {
      const token = await signUserToken(jwtSecret, userId);
      const statuses: number[] = [];
      for (let index = 0; index < 3; index++) statuses.push((await request(limited.url, 'GET', '/api/orders', { token })).status);
      expect([userId, statuses]).toEqual([userId, [200, 200, 429]]);
    }
  } finally {
    await limited.close();
  }
});

test('the per-address limit counts the connection, whatever X-Forwarded-For, X-Real-IP or Forwarded claim', async () => {
  const limited = await serveGateway({
    // A database of its own: the other gateways here count this same address.
    GATEWAY_DATABASE_URL: freshDatabaseUrl('gateway_spoofed'),
    PAYMENTS_URL: gateway.url,
    ORDERS_URL: gateway.url,
    JWT_SECRET: jwtSecret,
    INTERNAL_TOKEN: randomBytes(32).toString('hex'),
    RATE_LIMIT_PER_ADDRESS: '3',
  });
  try {
    const statuses: number[] = [];
    for (let index = 0; index < 5; index++) {
      const spoofed = `198.51.100.${index}`;
      const headers = { 'x-forwarded-for': spoofed, 'x-real-ip': spoofed, forwarded: `for=${spoofed}` };
      statuses.push((await request(limited.url, 'GET', '/openapi.json', { headers })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  } finally {
    await limited.close();
  }
});
