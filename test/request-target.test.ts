import { startCaptureServer, sendRaw } from './helpers/raw-http.ts';
import { startStack, type Stack } from './helpers/stack.ts';

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
