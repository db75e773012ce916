import { randomBytes } from 'node:crypto';
import type { RunningServer } from '../lib/http/server.ts';
import { WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { sendRaw, startCaptureServer, type CapturedRequest } from './helpers/raw-http.ts';
import { serveGateway } from '../harness/stack.ts';

// Hostile HTTP framing sent as raw bytes to the gateway, whose services are one capture server.
// Each case gets a 4xx or a normal answer, never a 5xx, never a hang, and the services receive
// at most the one request the client meant, exactly as the route means it.

let capture: Awaited<ReturnType<typeof startCaptureServer>>;
let gateway: RunningServer;
let token: string;
beforeAll(async () => {
  capture = await startCaptureServer();
  const jwtSecret = randomBytes(32).toString('hex');
  gateway = await serveGateway(
    {
      GATEWAY_DATABASE_URL: freshDatabaseUrl('gateway'),
      // The suite sends many requests from one address; the limits have tests of their own.
      ...WITHOUT_RATE_LIMITS,
      PAYMENTS_URL: capture.url,
      ORDERS_URL: capture.url,
      JWT_SECRET: jwtSecret,
      INTERNAL_TOKEN: randomBytes(32).toString('hex'),
    },
    { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000 },
  );
  token = await signUserToken(jwtSecret, 'framer');
});
afterAll(async () => {
  await gateway.close();
  await capture.close();
});

interface Case {
  name: string;
  /** The request line and headers up to (not including) the blank line, then the rest. */
  bytes: () => string;
  /** The one forward the client meant, if any: `METHOD path` and the body the service must get. */
  meant?: { line: string; body?: string };
}

const auth = () => `Authorization: Bearer ${token}`;
const head = (line: string, ...headers: string[]) => [line, 'Host: shop', auth(), ...headers, 'Connection: close', '', ''].join('\r\n');
const deposit = '{"amount":5}';
/** A GET of this path; `forwardedAs` is the one forward it may cause, if any. */
const get = (path: string, forwardedAs?: string): Case => ({
  name: path,
  bytes: () => head(`GET ${path} HTTP/1.1`),
  ...(forwardedAs === undefined ? {} : { meant: { line: `GET ${forwardedAs}` } }),
});
const smuggled = 'GET /api/orders/events HTTP/1.1\r\nHost: shop\r\nX-Smuggled: yes\r\nConnection: close\r\n\r\n';

const CLASSES: Record<string, Case[]> = {
  'duplicate Content-Length': [
    { name: 'two equal', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 12', 'Content-Length: 12') + deposit },
    { name: 'two different', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 12', 'Content-Length: 2') + deposit },
    { name: 'a list', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 12, 2') + deposit },
    { name: 'negative', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Content-Length: -12') + deposit },
    { name: 'with a sign', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Content-Length: +12') + deposit },
    { name: 'longer than the body sent', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 50') + deposit },
    { name: 'shorter, the rest a smuggled request', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', `Content-Length: ${deposit.length}`).replace('Connection: close\r\n', '') + deposit + smuggled, meant: { line: 'POST /api/account/deposits', body: deposit } },
  ],
  'Transfer-Encoding with Content-Length': [
    { name: 'chunked and a length', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Content-Length: 4') + `c\r\n${deposit}\r\n0\r\n\r\n` },
    { name: 'a length and chunked', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 40', 'Transfer-Encoding: chunked') + `c\r\n${deposit}\r\n0\r\n\r\n${smuggled}` },
    { name: 'chunked twice', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked') + `c\r\n${deposit}\r\n0\r\n\r\n` },
    { name: 'chunked, identity', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked, identity') + `c\r\n${deposit}\r\n0\r\n\r\n` },
    { name: 'an unknown coding', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: xchunked', 'Content-Length: 12') + deposit },
    { name: 'a space before the colon', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding : chunked', 'Content-Length: 12') + deposit },
    { name: 'a bad chunk size', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked') + `zz\r\n${deposit}\r\n0\r\n\r\n` },
    { name: 'a chunk size that overflows', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked') + `ffffffffffffffffffffc\r\n${deposit}\r\n0\r\n\r\n` },
    { name: 'bare LF in chunk lines', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked') + `c\n${deposit}\n0\n\n${smuggled}` },
    { name: 'a chunk longer than its size', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked') + `2\r\n${deposit}\r\n0\r\n\r\n` },
    { name: 'a trailer with Content-Length', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked').replace('Connection: close\r\n', '') + `c\r\n${deposit}\r\n0\r\nContent-Length: 80\r\n\r\n${smuggled}`, meant: { line: 'POST /api/account/deposits', body: deposit } },
    { name: 'chunked alone (normal)', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked') + `c\r\n${deposit}\r\n0\r\n\r\n`, meant: { line: 'POST /api/account/deposits', body: deposit } },
  ],
  'obsolete line folding': [
    { name: 'a folded custom header', bytes: () => head('GET /api/account HTTP/1.1', 'X-Note: a', ' b') },
    { name: 'a folded Content-Length', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Content-Length:', ' 12') + deposit },
    { name: 'a folded Authorization', bytes: () => ['GET /api/account HTTP/1.1', 'Host: shop', 'Authorization: Bearer', ` ${token}`, 'Connection: close', '', ''].join('\r\n') },
    { name: 'a folded Idempotency-Key', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Idempotency-Key: a', '\tb', 'Content-Length: 12') + deposit },
  ],
  'thousands of headers': [
    { name: '2,000 headers', bytes: () => head('GET /api/account HTTP/1.1', ...Array.from({ length: 2_000 }, (_, index) => `X-H${index}: v`)) },
    { name: '20,000 headers', bytes: () => head('GET /api/account HTTP/1.1', ...Array.from({ length: 20_000 }, (_, index) => `X-H${index}: v`)) },
    { name: 'one header of 64 KiB', bytes: () => head('GET /api/account HTTP/1.1', `X-Big: ${'a'.repeat(65_536)}`) },
    // Node joins them with ", ": the service sees one key with spaces, which its schema refuses.
    { name: '500 Idempotency-Keys', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', ...Array.from({ length: 500 }, (_, index) => `Idempotency-Key: k${index}`), 'Content-Length: 12') + deposit, meant: { line: 'POST /api/account/deposits', body: deposit } },
  ],
  'very long request line': [
    { name: 'a path of 20 KiB', bytes: () => head(`GET /api/orders/${'a'.repeat(20_480)} HTTP/1.1`) },
    { name: 'a path of 1 MiB', bytes: () => head(`GET /api/orders/${'a'.repeat(1_048_576)} HTTP/1.1`) },
    // Within Node's 16 KiB for the head: forwarded as it is, and the service's schema refuses the cursor.
    { name: 'a query of 12 KiB', bytes: () => head(`GET /api/orders?cursor=${'a'.repeat(12_288)} HTTP/1.1`), meant: { line: `GET /api/orders?cursor=${'a'.repeat(12_288)}` } },
    { name: 'a method of 10 KiB', bytes: () => head(`${'G'.repeat(10_240)} /api/account HTTP/1.1`) },
  ],
  'encoded dots and slashes': [
    ...['/api/%2e%2e/', '/api/orders/%2e%2e', '/api/orders/%2E%2E', '/api/orders/.%2e', '/api/orders/..', '/api/orders/.'].map((path) => get(path)),
    ...['/api/account/../orders', '/./api/orders', '//api/orders', '//127.0.0.1:9/api/orders', '/api//orders'].map((path) => get(path)),
    ...['/api\\orders', '/api/orders/..\\..\\readyz'].map((path) => get(path)),
    // One segment, so the route means an order id: forwarded as it is, and the service finds no such order.
    ...['/api/orders/%2e%2e%2fmetrics', '/api/orders/..%2f..%2freadyz', '/api/orders/%5c..%5creadyz', '/api/orders/%252e%252e', '/api/orders/%00'].map((path) => get(path, path)),
    // A fragment is not part of the path: the route and the forward both see /api/orders.
    get('/api/orders#/../account', '/api/orders'),
    get('/api/orders?limit=5', '/api/orders?limit=5'),
  ],
  'malformed lines and bytes': [
    { name: 'NUL in a header value', bytes: () => head('GET /api/account HTTP/1.1', 'X-Note: a\u0000b') },
    { name: 'NUL in the path', bytes: () => head('GET /api/orders/\u0000 HTTP/1.1') },
    { name: 'bare LF line endings', bytes: () => head('GET /api/account HTTP/1.1').replaceAll('\r\n', '\n') },
    { name: 'bare CR in a header', bytes: () => head('GET /api/account HTTP/1.1', 'X-Note: a\rX-User-Id: root') },
    { name: 'a header without a colon', bytes: () => head('GET /api/account HTTP/1.1', 'X-Note') },
    { name: 'tabs between the parts of the request line', bytes: () => head('GET\t/api/account\tHTTP/1.1') },
    { name: 'a tab inside the path', bytes: () => head('GET /api/ac\tcount HTTP/1.1') },
    { name: 'bytes above 0x7f in the path', bytes: () => head('GET /api/orders/\u00e9\u00ff HTTP/1.1') },
    { name: 'a userinfo-like path', bytes: () => head('GET /@127.0.0.1:9/api/orders HTTP/1.1') },
    { name: 'a huge Last-Event-ID', bytes: () => head('GET /api/orders/events HTTP/1.1', `Last-Event-ID: ${'9'.repeat(8_000)}`), meant: { line: 'GET /api/orders/events' } },
    { name: 'HTTP/2.0 version', bytes: () => head('GET /api/account HTTP/2.0'), meant: { line: 'GET /api/account' } },
    { name: 'HTTP/1.0', bytes: () => head('GET /api/account HTTP/1.0'), meant: { line: 'GET /api/account' } },
    { name: 'no Host', bytes: () => ['GET /api/account HTTP/1.1', auth(), 'Connection: close', '', ''].join('\r\n') },
    // The gateway never uses Host: the forward goes to the service's origin either way.
    { name: 'two Hosts', bytes: () => head('GET /api/account HTTP/1.1', 'Host: evil'), meant: { line: 'GET /api/account' } },
    { name: 'a lowercase method', bytes: () => head('get /api/account HTTP/1.1') },
    { name: 'an unknown method', bytes: () => head('PURGE /api/account HTTP/1.1') },
    { name: 'Expect: 100-continue', bytes: () => head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Expect: 100-continue', 'Content-Length: 12') + deposit, meant: { line: 'POST /api/account/deposits', body: deposit } },
    { name: 'Upgrade: h2c', bytes: () => head('GET /api/account HTTP/1.1', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA'), meant: { line: 'GET /api/account' } },
    { name: 'Upgrade: websocket', bytes: () => head('GET /api/orders/events HTTP/1.1', 'Upgrade: websocket', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13'), meant: { line: 'GET /api/orders/events' } },
  ],
  'spoofed forwarding headers': [
    {
      name: 'identity, token, host and forwarding headers from the client',
      bytes: () =>
        head(
          'GET /api/account HTTP/1.1',
          'X-User-Id: admin',
          'X-Internal-Token: guess',
          'X-Forwarded-For: 10.0.0.1',
          'X-Forwarded-Host: evil',
          'Forwarded: for=10.0.0.1;host=evil',
          'X-Request-Id: ../../etc',
          'Content-Type: text/evil',
        ),
      meant: { line: 'GET /api/account' },
    },
  ],
};

test('hostile framing at the gateway: a 4xx or a normal answer, never a 5xx or a hang, and no forward the route did not mean', async () => {
  const counts: string[] = [];
  const faults: string[] = [];
  for (const [className, cases] of Object.entries(CLASSES)) {
    for (const { name, bytes, meant } of cases) {
      const before = capture.requests.length;
      const { statuses, closed, answer } = await sendRaw(gateway.url, bytes(), 5_000);
      // A forward is done when its answer is relayed; give a stray one a moment to show.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const forwarded = capture.requests.slice(before);
      const meantForwards = forwarded.filter((request) => meant && `${request.method} ${request.url}` === meant.line && (meant.body === undefined || request.body === meant.body));
      const fault = (what: string) => faults.push(`${className}: ${name}: ${what}`);
      if (!closed) fault('hung (no hang-up within 5 s)');
      if (statuses.length === 0) fault('no answer');
      if (statuses.some((status) => status >= 500)) fault(`answered ${statuses.join(', ')}`);
      if (statuses.some((status) => status >= 400) && !/content-type: application\/problem\+json/i.test(answer)) fault('a 4xx that is not a problem document');
      if (meantForwards.length > 1) fault(`forwarded ${meantForwards.length} times`);
      for (const stray of forwarded.filter((request) => !meantForwards.includes(request))) fault(`forwarded ${describe(stray)}`);
      for (const request of forwarded) expectOnlyGatewayHeaders(request);
    }
    counts.push(`  ${className}: ${cases.length}`);
  }
  console.log(`hostile framing cases per class:\n${counts.join('\n')}\n  forwards that reached the services: ${capture.requests.length}`);
  expect(faults).toEqual([]);
});

test('a clean request still reaches the service with the gateway\'s own headers', async () => {
  const before = capture.requests.length;
  const { statuses } = await sendRaw(gateway.url, head('POST /api/account/deposits HTTP/1.1', 'Content-Type: application/json', 'Idempotency-Key: k-1', 'Content-Length: 12') + deposit);
  expect(statuses).toEqual([200]);
  const [forwarded] = capture.requests.slice(before);
  expect(forwarded && describe(forwarded)).toBe(`POST /api/account/deposits ${deposit}`);
  expect(forwarded?.headers['idempotency-key']).toBe('k-1');
});

function describe(request: CapturedRequest): string {
  return `${request.method} ${request.url} ${request.body}`.trim().slice(0, 200);
}

/** The service sees the gateway's word for who and where, never the client's. */
function expectOnlyGatewayHeaders(request: CapturedRequest): void {
  expect(request.headers.host).toBe(`127.0.0.1:${capture.port}`);
  expect(request.headers['x-user-id']).toBe('framer');
  expect(request.headers['x-internal-token']).not.toBe('guess');
  expect(request.headers['x-request-id']).toMatch(/^[\w.-]{1,64}$/);
  expect(request.headers['last-event-id'] ?? '').toMatch(/^[\x21-\x7e]{0,64}$/);
  for (const name of ['x-forwarded-for', 'x-forwarded-host', 'forwarded', 'authorization', 'cookie', 'expect', 'upgrade']) {
    expect({ name, value: request.headers[name] }).toEqual({ name, value: undefined });
  }
}
