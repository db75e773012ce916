import { createServer } from 'node:http';
import { WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { openEventStream } from './helpers/event-stream.ts';
import { startCaptureServer, sendRaw } from './helpers/raw-http.ts';
import { serveGateway, startStack, type Stack } from '../harness/stack.ts';

// A request target that is not a path must never make the gateway call another host: the
// internal token and the user id would go with it. A capture server named in the request
// line must not even see a connection.

let stack: Stack;
let capture: Awaited<ReturnType<typeof startCaptureServer>>;
let token: string;
beforeAll(async () => {
  [stack, capture] = await Promise.all([startStack(), startCaptureServer()]);
  token = await stack.tokenFor('mallory');
  await (await stack.clientFor('mallory'))('POST', '/api/account');
});
afterAll(async () => {
  await capture.close();
  await stack.stop();
});

const order = '{"amount":100,"description":"tea"}';
const targets = (host: string) => [
  ['absolute-form POST', `POST http://${host}/api/orders HTTP/1.1`, order],
  ['absolute-form GET', `GET http://${host}/api/account HTTP/1.1`, ''],
  ['absolute-form event stream', `GET http://${host}/api/orders/events HTTP/1.1`, ''],
  ['absolute-form with userinfo', `GET http://user:pass@${host}/api/orders HTTP/1.1`, ''],
  ['authority-form', `CONNECT ${host} HTTP/1.1`, ''],
  ['asterisk-form', 'OPTIONS * HTTP/1.1', ''],
] as const;

test('absolute-form, authority-form and asterisk-form targets answer a 400 problem, and no other host is ever called', async () => {
  const host = `127.0.0.1:${capture.port}`;
  for (const [name, line, body] of targets(host)) {
    const bytes =
      `${line}\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    const { statuses, answer, closed } = await sendRaw(stack.gatewayUrl, bytes, 5_000);
    expect({ name, statuses, closed }).toEqual({ name, statuses: [400], closed: true });
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toContain('/problems/invalid-request-target');
  }
  console.log(`request targets: ${targets(host).length} non-origin-form targets tried, ${capture.connections()} connections reached the capture server`);
  expect(capture.connections()).toBe(0);
  const orders = await stack.ordersOrm.em.fork().execute('select id from orders where user_id = ?', ['mallory']);
  expect(orders).toHaveLength(0);
});

test('an origin-form target is still forwarded to the configured service', async () => {
  const bytes = `GET /api/account HTTP/1.1\r\nHost: 127.0.0.1:${capture.port}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`;
  const { statuses, answer } = await sendRaw(stack.gatewayUrl, bytes, 5_000);
  expect(statuses).toEqual([200]);
  expect(answer).toContain('"userId":"mallory"');
  expect(capture.connections()).toBe(0);
});

test('a redirect from a service is never followed: the internal token and user id go to no other host', async () => {
  // A service (or whatever answers at its address) that sends every request on to the capture server.
  const redirecting = createServer((req, res) => res.writeHead(307, { location: `${capture.url}${req.url ?? '/'}` }).end());
  await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(redirecting.address() as { port: number }).port}`;
  const gateway = await serveGateway({
    GATEWAY_DATABASE_URL: stack.gatewayDatabaseUrl,
    ...WITHOUT_RATE_LIMITS,
    PAYMENTS_URL: url,
    ORDERS_URL: url,
    JWT_SECRET: stack.jwtSecret,
    INTERNAL_TOKEN: stack.internalToken,
  });
  try {
    const before = capture.connections();
    const stream = await openEventStream(`${gateway.url}/api/orders/events`, token);
    stream.close();
    expect(stream.status).toBe(307);
    const forwarded = await fetch(`${gateway.url}/api/orders`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(forwarded.status).toBe(307);
    expect(capture.connections()).toBe(before);
  } finally {
    await gateway.close();
    redirecting.closeAllConnections();
    redirecting.close();
  }
});
