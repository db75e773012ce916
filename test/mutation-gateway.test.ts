// Gateway guarantees that the mutation run (npm run mutation) found unchecked: each test here
// fails for a mutant of authenticate.ts, forward.ts or idempotent.ts that the older tests let live.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import Koa from 'koa';
import { SignJWT } from 'jose';
import { errors } from 'undici';
import { BODY_LIMIT_BYTES } from '../lib/http/input.ts';
import { serve } from '../lib/http/server.ts';
import { WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { forwardTo } from '../services/gateway/forward.ts';
import { createUpstream, upstreamFailed } from '../services/gateway/upstream.ts';
import { readBooks } from './helpers/books.ts';
import { request } from '../harness/http.ts';
import { failLedgerWritesOf } from './helpers/ledger-fault.ts';
import { sendRaw } from './helpers/raw-http.ts';
import { serveGateway, serveGatewayFor, startStack, type Stack } from '../harness/stack.ts';
import { until } from './helpers/eventually.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

describe('the Authorization header is read strictly', () => {
  test.each([
    ['a scheme that only ends in Bearer', (token: string) => `XBearer ${token}`],
    ['text after the token', (token: string) => `Bearer ${token} trailing`],
  ])('%s answers 401 as "invalid request", even with a good token in it', async (_name, header) => {
    const token = await stack.tokenFor('ulla');
    const answer = await request(stack.gatewayUrl, 'GET', '/api/account', { headers: { authorization: header(token) } });
    expect(answer.status).toBe(401);
    expect(answer.body.type).toBe('/problems/unauthorized');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  });

  test('a subject that is not a string is no user, even when it would print as a valid user id', async () => {
    // The claim is set raw: jose's setSubject takes strings only.
    const token = await new SignJWT({ sub: 12345 as unknown as string })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(inAMinute())
      .sign(new TextEncoder().encode(stack.jwtSecret));
    const answer = await request(stack.gatewayUrl, 'GET', '/api/account', { token });
    expect(answer.status).toBe(401);
    expect(answer.body.type).toBe('/problems/unauthorized');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });
});

describe('local sign-in off', () => {
  test('answers the sign-in-off problem, which tells a client where tokens come from', async () => {
    const gateway = await serveGateway({
      GATEWAY_DATABASE_URL: stack.gatewayDatabaseUrl,
      PAYMENTS_URL: stack.paymentsUrl,
      ORDERS_URL: stack.ordersUrl,
      JWT_SECRET: stack.jwtSecret,
      INTERNAL_TOKEN: stack.internalToken,
      DEV_SIGN_IN: 'false',
    });
    try {
      const answer = await request(gateway.url, 'POST', '/storefront/sign-in', { body: { userId: 'walt' } });
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ type: '/problems/sign-in-off', detail: 'Local sign-in is off here; use a token from your identity provider.' });
    } finally {
      await gateway.close();
    }
  });
});

describe('a forward that got no answer says whether anything could have happened', () => {
  const payments = createUpstream('payments', ['http://127.0.0.1:1'], { internalToken: 'x', timeoutMs: 1_000, skipDeadMs: 1_000 });
  afterAll(() => payments.connections.close());
  // The codes the socket, the resolver and undici's ConnectTimeoutError carry when no connection was
  // ever made: undici's request() rejects with that error itself.
  test.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT'])(
    'not connected (%s): 503, nothing was done, retry after a second',
    (code) => {
      const problem = upstreamFailed(payments, 'POST', Object.assign(new Error(code), { code }));
      expect(problem).toMatchObject({ status: 503, type: '/problems/service-unavailable', headers: { 'retry-after': '1' } });
      expect(problem.message).toBe('The payments service is not reachable; nothing was done. Try again shortly.');
    },
  );

  test.each([
    ['GET', 'Try again.'],
    ['HEAD', 'Try again.'],
    ['POST', 'It may have been carried out: retry with the same Idempotency-Key.'],
  ])('cut off or timed out (%s): 504, and only a change is told to keep its Idempotency-Key', (method, advice) => {
    const cutOff = [new DOMException('timed out', 'TimeoutError'), Object.assign(new Error('reset'), { code: 'ECONNRESET' }), new errors.SocketError('other side closed')];
    for (const error of cutOff) {
      const problem = upstreamFailed(payments, method, error);
      expect(problem).toMatchObject({ status: 504, type: '/problems/upstream-timeout' });
      expect(problem.message).toBe(`The payments service did not answer in time. ${advice}`);
    }
  });
});

describe('Idempotency-Key on orders', () => {
  test('a retry answers the first order with its Location, and there is one order', async () => {
    const ivy = await stack.clientFor('ivy');
    const place = () => ivy('POST', '/api/orders', { body: { amount: 12, description: 'Once' }, headers: { 'idempotency-key': 'order-1' } });
    const first = await place();
    expect(first.status).toBe(202);
    expect(first.headers.get('location')).toBe(`/api/orders/${first.body.id}`);
    // A header the service did not send is not relayed at all (not as an empty or 'null' one).
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const retry = await place();
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(retry.headers.get('content-type')).toMatch(/^application\/json/);
    expect(retry.body).toEqual(first.body);
    const list = await ivy('GET', '/api/orders');
    expect(list.body.items.map((order: { id: string }) => order.id)).toEqual([first.body.id]);
    expect(list.headers.get('location')).toBeNull();
  });
});

describe('Idempotency-Key on deposits', () => {
  test('a deposit whose key cannot be stored is not made: the key and its effect commit together or not at all', async () => {
    const noor = await stack.clientFor('noor');
    await noor('POST', '/api/account');
    const restore = await failLedgerWritesOf(stack.paymentsOrm, 'noor', 'idempotency_keys');
    try {
      expect((await noor('POST', '/api/account/deposits', { body: { amount: 9 }, headers: { 'idempotency-key': 'one-tx' } })).status).toBe(500);
    } finally {
      await restore();
    }
    expect(await readBooks(stack.paymentsOrm, 'noor')).toEqual({ balance: 0, ledgerTotal: 0, ledgerEntries: 0 });
  });
});

describe('the gateway forwards exactly what the service needs, and relays exactly what the client may see', () => {
  interface Received {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: string;
  }

  /** A gateway in front of a stand-in service that records each request and answers with every header it might. */
  async function withRecordingService(test: (gatewayUrl: string, received: Received[]) => Promise<void>, status = 201): Promise<void> {
    const received: Received[] = [];
    const service = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          location: '/api/orders/made',
          'idempotent-replayed': 'true',
          'set-cookie': 'session=internal',
          'x-internal-detail': 'not for clients',
        });
        res.end('{"made":true}');
      });
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    const serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
    const gateway = await serveGateway({
      GATEWAY_DATABASE_URL: stack.gatewayDatabaseUrl,
      ...WITHOUT_RATE_LIMITS,
      PAYMENTS_URL: serviceUrl,
      ORDERS_URL: serviceUrl,
      JWT_SECRET: stack.jwtSecret,
      INTERNAL_TOKEN: stack.internalToken,
    });
    try {
      await test(gateway.url, received);
    } finally {
      await gateway.close();
      await new Promise((resolve) => service.close(resolve));
    }
  }

  test('a change goes on with its body, type, key, user, request id and the internal token, and no client credential', async () => {
    await withRecordingService(async (gatewayUrl, received) => {
      const token = await stack.tokenFor('kim');
      const answer = await fetch(`${gatewayUrl}/api/orders?x=1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'k-1', cookie: 'mine=1' },
        body: '{"amount":1,"description":"d"}',
      });
      expect(answer.status).toBe(201);
      expect(await answer.text()).toBe('{"made":true}');
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(answer.headers.get('location')).toBe('/api/orders/made');
      expect(answer.headers.get('idempotent-replayed')).toBe('true');
      expect(answer.headers.get('set-cookie')).toBeNull();
      expect(answer.headers.get('x-internal-detail')).toBeNull();

      expect(received).toHaveLength(1);
      const [request] = received;
      expect(request).toMatchObject({ method: 'POST', url: '/api/orders?x=1', body: '{"amount":1,"description":"d"}' });
      expect(request?.headers).toMatchObject({
        'x-internal-token': stack.internalToken,
        'x-user-id': 'kim',
        'x-request-id': answer.headers.get('x-request-id'),
        'content-type': 'application/json',
        'idempotency-key': 'k-1',
      });
      expect(request?.headers.authorization).toBeUndefined();
      expect(request?.headers.cookie).toBeUndefined();
    });
  });

  test('a read goes on without a body, even when the client sent one, and without a key or type it did not send', async () => {
    await withRecordingService(async (gatewayUrl, received) => {
      const token = await stack.tokenFor('lou');
      for (const method of ['GET', 'HEAD']) {
        // fetch() sends no body with GET or HEAD: the request is written by hand.
        const answer = await new Promise<number>((resolve, reject) => {
          const headers = { authorization: `Bearer ${token}`, 'content-length': '5' };
          const sent = httpRequest(new URL('/api/account', gatewayUrl), { method, headers }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          sent.on('error', reject);
          sent.end('hello');
        });
        expect([method, answer]).toEqual([method, 201]);
      }
      expect(received.map(({ method, body }) => [method, body])).toEqual([['GET', ''], ['HEAD', '']]);
      expect(received[0]?.headers['content-type']).toBeUndefined();
      expect(received[0]?.headers['idempotency-key']).toBeUndefined();
    });
  });

  test('a body over the limit answers 413 and is not sent on; one at the limit is', async () => {
    await withRecordingService(async (gatewayUrl, received) => {
      const token = await stack.tokenFor('mo');
      const post = (bytes: number) =>
        request(gatewayUrl, 'POST', '/api/account/deposits', { token, body: 'x'.repeat(bytes), headers: { 'content-type': 'text/plain' } });
      const over = await post(BODY_LIMIT_BYTES + 1);
      expect(over.status).toBe(413);
      expect(over.body).toMatchObject({ type: '/problems/body-too-large', detail: `The body must be at most ${BODY_LIMIT_BYTES} bytes.` });
      expect(received).toEqual([]);
      expect((await post(BODY_LIMIT_BYTES)).status).toBe(201);
      expect(received.map(({ body }) => body.length)).toEqual([BODY_LIMIT_BYTES]);
    });
  });

  test('a Content-Length over the limit answers 413 at once, without waiting for a body that may never come', async () => {
    await withRecordingService(async (gatewayUrl, received) => {
      const token = await stack.tokenFor('mo');
      const head = [
        'POST /api/account/deposits HTTP/1.1',
        'host: shop',
        `authorization: Bearer ${token}`,
        'content-type: text/plain',
        `content-length: ${BODY_LIMIT_BYTES + 1}`,
        // So the exchange ends with the answer, instead of at sendRaw's time limit.
        'connection: close',
      ];
      const exchange = await sendRaw(gatewayUrl, `${head.join('\r\n')}\r\n\r\n`, 2_000);
      expect(exchange.statuses).toEqual([413]);
      expect(received).toEqual([]);
    });
  });

  test("the gateway is ready while each service answers its own /readyz with a success, and not while one answers with a failure", async () => {
    await withRecordingService(async (gatewayUrl, received) => {
      const ready = await request(gatewayUrl, 'GET', '/readyz');
      expect([ready.status, ready.body]).toEqual([200, { status: 'ready' }]);
      expect(received.map(({ method, url }) => `${method} ${url}`)).toEqual(['GET /readyz', 'GET /readyz']);
    });
    await withRecordingService(async (gatewayUrl) => {
      const notReady = await request(gatewayUrl, 'GET', '/readyz');
      expect([notReady.status, notReady.body.detail]).toEqual([503, 'Not reachable: payments, orders.']);
    }, 503);
  });
});

describe('a body the client breaks off', () => {
  /** The statuses a gateway's metrics counted for `POST /api/orders`, one per request. */
  const postedOrderStatuses = (metrics: string) =>
    [...metrics.matchAll(/^http_request_duration_seconds_count\{([^}]*)\} (\d+)$/gm)]
      .filter(([, labels]) => labels?.includes('method="POST"') && labels.includes('route="/api/orders"'))
      .flatMap(([, labels, count]) => Array.from({ length: Number(count) }, () => /status="(\d+)"/.exec(labels ?? '')?.[1]));

  test('is never sent on to the service, and counts as a 400 (not as a body too large)', async () => {
    const gateway = await serveGatewayFor(stack, WITHOUT_RATE_LIMITS);
    try {
      const ordersPostedBefore = postedOrderStatuses(await stack.ordersMetrics()).length;
      const head = [
        'POST /api/orders HTTP/1.1',
        'host: shop',
        `authorization: Bearer ${await stack.tokenFor('rhea')}`,
        'content-type: application/json',
        'content-length: 100',
      ];
      // Ten bytes of the hundred promised, then the client hangs up.
      const { hostname, port } = new URL(gateway.url);
      const socket = connect(Number(port), hostname);
      await new Promise<void>((resolve) => socket.write(`${head.join('\r\n')}\r\n\r\n{"amount":`, () => resolve()));
      socket.destroy();

      // The gateway counts a request once it has answered it, upstream call included.
      const counted = async () => postedOrderStatuses(await gateway.metrics.registry.metrics());
      await until(async () => (await counted()).length > 0, 'the gateway to finish the broken-off request');
      expect(await counted()).toEqual(['400']);
      expect(postedOrderStatuses(await stack.ordersMetrics())).toHaveLength(ordersPostedBefore);
    } finally {
      await gateway.close();
    }
  });
});

describe("the gateway's span of a forwarded request", () => {
  // What the HTTP instrumentation does in the programs: the request runs in an active span.
  const spans = new InMemorySpanExporter();
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
  });
  afterAll(() => {
    trace.disable();
    context.disable();
  });

  test('names the order that the answer placed (read from its Location), and no order for any other answer', async () => {
    const orders = createUpstream('orders', [stack.ordersUrl], { internalToken: stack.internalToken, timeoutMs: 5_000, skipDeadMs: 1_000 });
    const app = new Koa();
    app.use((ctx, next) =>
      trace.getTracer('the gateway').startActiveSpan(`${ctx.method} ${ctx.path}`, async (span) => {
        ctx.state.userId = 'sol';
        ctx.state.requestId = randomUUID();
        try {
          await next();
        } finally {
          span.end();
        }
      }),
    );
    app.use(forwardTo(orders));
    const server = await serve(app, '127.0.0.1', 0);
    try {
      const placed = await request(server.url, 'POST', '/api/orders', { body: { amount: 5, currency: 'EUR', description: 'Tea' } });
      expect(placed.status).toBe(202);
      const orderId = /[0-9a-f-]{36}$/.exec(placed.headers.get('location') ?? '')?.[0];
      expect((await request(server.url, 'GET', `/api/orders/${orderId ?? ''}`)).status).toBe(200);
      // The orders service runs in this process too: its spans are not the gateway's.
      const gatewaySpans = spans.getFinishedSpans().filter(({ instrumentationScope }) => instrumentationScope.name === 'the gateway');
      // Strictly: an answer without an order sets no orderId at all, not one that is undefined.
      expect(gatewaySpans.map(({ name, attributes }) => [name, attributes])).toStrictEqual([
        ['POST /api/orders', { orderId }],
        [`GET /api/orders/${orderId ?? ''}`, {}],
      ]);
    } finally {
      await server.close();
      await orders.connections.close();
    }
  });
});

describe('an answer that breaks off while the gateway reads it', () => {
  test('is a 504: the service may have done the change, so it is retried with the same Idempotency-Key', async () => {
    // A service that sends its head and ten bytes of the hundred it announced, then hangs up.
    const halfAnswering = createNetServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"id":"12'));
    });
    await new Promise<void>((resolve) => halfAnswering.listen(0, '127.0.0.1', resolve));
    const gateway = await serveGatewayFor(stack, { ...WITHOUT_RATE_LIMITS, ORDERS_URL: `http://127.0.0.1:${(halfAnswering.address() as AddressInfo).port}` });
    try {
      const answer = await request(gateway.url, 'POST', '/api/orders', { token: await stack.tokenFor('una'), body: { amount: 5, description: 'Half' } });
      expect(answer).toMatchObject({ status: 504, body: { type: '/problems/upstream-timeout' } });
    } finally {
      await gateway.close();
      halfAnswering.close();
    }
  });
});
