import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { RunningServer } from '../lib/http/server.ts';
import { freshDatabaseUrl } from './helpers/database-url.ts';
import { request } from './helpers/http.ts';
import { serveGateway } from './helpers/stack.ts';

// One real gateway on its own database, in front of an upstream that only counts what reaches it:
// what a client can make the gateway do without any service behind it.

let gateway: RunningServer;
let upstream: Server;
let upstreamRequests = 0;
beforeAll(async () => {
  upstream = createServer((_req, res) => {
    upstreamRequests++;
    // A slow dependency: the checks of a flood overlap.
    setTimeout(() => res.end('{"status":"ready"}'), 50);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await serveGateway({
    GATEWAY_DATABASE_URL: freshDatabaseUrl('gateway_edges'),
    PAYMENTS_URL: upstreamUrl,
    ORDERS_URL: upstreamUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    INTERNAL_TOKEN: randomBytes(32).toString('hex'),
  });
});
afterAll(async () => {
  await gateway.close();
  await new Promise((resolve) => upstream.close(resolve));
});

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
