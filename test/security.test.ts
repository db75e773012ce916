import type { RunningServer } from '../lib/http/server.ts';
import { readBooks } from './helpers/books.ts';
import { sendRaw } from './helpers/raw-http.ts';
import { serveGateway, startStack, type Stack } from '../harness/stack.ts';
import { request } from '../harness/http.ts';

// What the other suites do not already cover: hostile shapes of body and slow clients.
// (Bad tokens, internal tokens and other users' data: auth.test.ts, payment-flow.test.ts.)

let stack: Stack;
let strictGateway: RunningServer;
beforeAll(async () => {
  stack = await startStack();
  strictGateway = await serveGateway(
    { GATEWAY_DATABASE_URL: stack.gatewayDatabaseUrl, PAYMENTS_URL: stack.paymentsUrl, ORDERS_URL: stack.ordersUrl, JWT_SECRET: stack.jwtSecret, INTERNAL_TOKEN: stack.internalToken },
    { headersTimeoutMs: 500, requestTimeoutMs: 1_000 },
  );
});
afterAll(async () => {
  await strictGateway.close();
  await stack.stop();
});

test('a deeply nested body answers 4xx and changes nothing', async () => {
  const client = await stack.fundedClientFor('nester', 100);
  const before = await readBooks(stack.paymentsOrm, 'nester');
  for (const body of ['['.repeat(8_000) + ']'.repeat(8_000), `{"amount":${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}}`]) {
    const answer = await client('POST', '/api/account/deposits', { body });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
  }
  expect(await readBooks(stack.paymentsOrm, 'nester')).toEqual(before);
});

test('a client that never finishes its headers is cut off', async () => {
  const { ms, answer, closed } = await sendRaw(strictGateway.url, 'GET /api/account HTTP/1.1\r\nHost: x\r\n');
  expect(closed).toBe(true);
  expect(ms).toBeLessThan(5_000);
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
});

test('a client that never finishes its body is cut off', async () => {
  const token = await stack.tokenFor('slowpoke');
  const { ms, closed } = await sendRaw(
    strictGateway.url,
    `POST /api/account/deposits HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"amount":`,
  );
  expect(closed).toBe(true);
  expect(ms).toBeLessThan(5_000);
});

// What helmet sets with the gateway's policy (services/gateway/security-headers.ts).
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';base-uri 'none';form-action 'self';frame-ancestors 'none';object-src 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

test("every answer carries helmet's security headers, a refused request's problem and a 404 too", async () => {
  const token = await stack.tokenFor('helmeted');
  const answers = [
    await request(stack.gatewayUrl, 'GET', '/api/orders', { token }),
    await request(stack.gatewayUrl, 'GET', '/api/orders'),
    await request(stack.gatewayUrl, 'GET', '/nothing-here'),
  ];
  expect(answers.map((answer) => answer.status)).toEqual([200, 401, 404]);
  for (const answer of answers) {
    expect(Object.fromEntries(Object.keys(SECURITY_HEADERS).map((name) => [name, answer.headers.get(name)]))).toEqual(SECURITY_HEADERS);
  }
});
