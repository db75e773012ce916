import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { API_PREFIX, type PublicRoute } from '../lib/http/public-route.ts';
import { PUBLIC_ROUTES } from '../services/gateway/public-routes.ts';
import { startStack, type Stack } from '../harness/stack.ts';

// Random and hostile input at every public endpoint, through the real gateway and services:
// never a 5xx, every error a problem document, and the books still balance afterwards.

let stack: Stack;
let tokens: string[];
beforeAll(async () => {
  stack = await startStack();
  tokens = await Promise.all(['fuzz-a', 'fuzz-b'].map((user) => stack.tokenFor(user)));
  for (const user of ['fuzz-a', 'fuzz-b']) {
    const client = await stack.clientFor(user);
    await client('POST', '/api/account');
    await client('POST', '/api/account/deposits', { body: { amount: 10_000 } });
  }
});
afterAll(() => stack.stop());

/** Every public route, from the services' route tables, with a made-up id for a path parameter. */
const ENDPOINTS = Object.values(PUBLIC_ROUTES)
  .flatMap((routes) => Object.values<PublicRoute>(routes))
  .map((route) => [route.method, `${API_PREFIX}${route.path.replace(/:\w+/g, randomUUID())}`] as const);

const hostileString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', ' ', '\u0000', '💸', 'null', '{}', "'; drop table accounts; --"));
const jsonValue = fc.jsonValue({ maxDepth: 4 });
const amount = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, 1e308, Number.MAX_SAFE_INTEGER), hostileString);
const body = fc.oneof(
  jsonValue.map((value) => JSON.stringify(value)),
  fc.record({ amount, description: fc.oneof(hostileString, jsonValue) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  hostileString,
);
const headerValue = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_.:;,/=+*!~'.split('')), maxLength: 300 });

async function send(method: string, path: string, init: { body?: string; headers: Record<string, string> }): Promise<Response> {
  const abort = new AbortController();
  // Joined as text: new URL() would read a path such as "//x" as another host.
  const response = await fetch(`${stack.gatewayUrl}${path}`, {
    method,
    headers: init.headers,
    body: method === 'GET' ? undefined : init.body,
    signal: abort.signal,
  });
  // An event stream never ends by itself: its head is all a property needs.
  if (response.headers.get('content-type')?.includes('text/event-stream')) abort.abort();
  return response;
}

async function expectWellFormed(response: Response): Promise<void> {
  expect(response.status).toBeLessThan(500);
  if (response.status >= 400) {
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as { status: number; title: string; type: string };
    expect(problem.status).toBe(response.status);
  } else if (!response.headers.get('content-type')?.includes('text/event-stream')) {
    await response.arrayBuffer();
  }
}

test('random bodies, content types, tokens and idempotency keys at every endpoint: never a 5xx, always a problem', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ENDPOINTS),
      body,
      fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', 'multipart/form-data', ''),
      fc.oneof(fc.constantFrom(0, 1).map((index) => `Bearer ${tokens[index] ?? ''}`), headerValue, fc.constant('')),
      fc.option(headerValue, { nil: undefined }),
      async ([method, path], payload, contentType, authorization, idempotencyKey) => {
        const headers: Record<string, string> = {};
        if (contentType) headers['content-type'] = contentType;
        if (authorization) headers.authorization = authorization;
        if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
        await expectWellFormed(await send(method, path, { body: payload, headers }));
      },
    ),
    { numRuns: 300 },
  );
});

test('random paths, query strings and order ids: never a 5xx', async () => {
  const segment = fc.string({ unit: fc.constantFrom(...'abc019-_.~%:'.split('')), maxLength: 40 });
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
      fc.oneof(
        segment.map((id) => `/api/orders/${id}`),
        fc.tuple(segment, segment).map(([key, value]) => `/api/orders?limit=${value}&cursor=${key}`),
        fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
        segment.map((rest) => `/api/account/${rest}`),
      ),
      async (method, path) => {
        await expectWellFormed(await send(method, path, { headers: { authorization: `Bearer ${tokens[0] ?? ''}` } }));
      },
    ),
    { numRuns: 300 },
  );
});

// Hostile values, each placed into one field of an otherwise valid request: random whole bodies
// rarely get past validation, so they never show what a field does with what it lets through.
const around = (inner: fc.Arbitrary<string>) => fc.tuple(fc.string({ maxLength: 8 }), inner, fc.string({ maxLength: 8 })).map((parts) => parts.join(''));
const HOSTILE_CLASSES = {
  'NUL and control characters': around(fc.constantFrom('\u0000', '\u0001', '\u001b', '\u007f', '\r\n', '\u0085')),
  'unpaired surrogates': around(fc.constantFrom('\ud800', '\udfff', '\udc00\ud800', '\ud83d')),
  'prototype and emitter names': fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'error', 'newListener'),
  'unicode edge cases': around(fc.constantFrom('\u202e', '\u200b', '\ufeff', 'e\u0301', '💸', '\u{10ffff}', '\ufffd', 'İ')),
  'injection strings': fc.constantFrom("'; drop table accounts; --", '${jndi:ldap://x}', '<script>alert(1)</script>', '%00', '../../etc/passwd', '{{7*7}}', '\\x00'),
  'oversized strings': fc.constantFrom('x'.repeat(501), 'x'.repeat(5_000), '💸'.repeat(300), ' '.repeat(600)),
  'wrong JSON types': fc.oneof(fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }), fc.constant({ __proto__: null })),
  'numeric edge cases': fc.constantFrom(0, -1, -0, 0.5, 2 ** 53, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER, 1e-7, '100', '1e2', '0x10'),
  'invalid percent-encoding': fc.constantFrom('%FF', '%C0%80', '%ED%A0%80', '%00', '%', '%zz', '%2e%2e', '%2f'),
  'dates PostgreSQL cannot hold': fc.constantFrom('-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '-004714-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z', 'Invalid Date'),
} satisfies Record<string, fc.Arbitrary<unknown>>;
type HostileClass = keyof typeof HOSTILE_CLASSES;

const ORDER_ID = '00000000-0000-4000-8000-000000000000';
/** A value as text, for the places that carry only text (a key, a URL, a header). */
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
/** Percent-encodes every UTF-8 byte, except a value of the class that is percent-encoding already. */
const inUrl = (value: unknown, hostileClass: HostileClass) =>
  hostileClass === 'invalid percent-encoding' ? text(value) : [...Buffer.from(text(value))].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
/** A header carries bytes: the value's UTF-8 bytes read as Latin-1, less what fetch cannot send (the raw-socket suite sends those). */
const asHeader = (value: unknown) => Buffer.from(text(value)).toString('latin1').replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
const cursorFor = (createdAt: unknown) => Buffer.from(JSON.stringify([createdAt, ORDER_ID])).toString('base64url');

interface FieldRequest {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}
const key = () => `fuzz-${randomUUID()}`;
const FIELDS = {
  'order amount': (value) => ({ method: 'POST', path: '/api/orders', body: JSON.stringify({ amount: value, description: 'tea' }) }),
  'order description': (value) => ({ method: 'POST', path: '/api/orders', body: JSON.stringify({ amount: 1, description: value }) }),
  'order extra key': (value) => ({ method: 'POST', path: '/api/orders', body: `{"amount":1,"description":"tea",${JSON.stringify(text(value))}:{"amount":-5}}` }),
  'deposit amount': (value) => ({ method: 'POST', path: '/api/account/deposits', body: JSON.stringify({ amount: value }) }),
  'deposit extra key': (value) => ({ method: 'POST', path: '/api/account/deposits', body: `{"amount":1,${JSON.stringify(text(value))}:{"amount":-5}}` }),
  'Idempotency-Key header': (value) => ({ method: 'POST', path: '/api/account/deposits', body: '{"amount":1}', headers: { 'idempotency-key': asHeader(value) } }),
  'X-Request-Id header': (value) => ({ method: 'GET', path: '/api/account', headers: { 'x-request-id': asHeader(value) } }),
  'Last-Event-ID header': (value) => ({ method: 'GET', path: '/api/orders/events', headers: { 'last-event-id': asHeader(value) } }),
  'list limit': (value, hostileClass) => ({ method: 'GET', path: `/api/orders?limit=${inUrl(value, hostileClass)}` }),
  'list cursor': (value, hostileClass) => ({ method: 'GET', path: `/api/orders?cursor=${inUrl(value, hostileClass)}` }),
  'list cursor date': (value) => ({ method: 'GET', path: `/api/orders?cursor=${cursorFor(value)}` }),
  'order id in path': (value, hostileClass) => ({ method: 'GET', path: `/api/orders/${inUrl(value, hostileClass)}` }),
} satisfies Record<string, (value: unknown, hostileClass: HostileClass) => FieldRequest>;

test('hostile values in one field of an otherwise valid request: never a 5xx, refused as 4xx or stored exactly', async () => {
  const client = await stack.clientFor('fuzz-a');
  const tried = new Map<string, number>();
  const triedFields = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...(Object.keys(FIELDS) as (keyof typeof FIELDS)[])),
      fc.constantFrom(...(Object.keys(HOSTILE_CLASSES) as HostileClass[])).chain((hostileClass) =>
        HOSTILE_CLASSES[hostileClass].map((value: unknown) => ({ hostileClass, value })),
      ),
      async (field, { hostileClass, value }) => {
        tried.set(hostileClass, (tried.get(hostileClass) ?? 0) + 1);
        triedFields.set(field, (triedFields.get(field) ?? 0) + 1);
        const request: FieldRequest = FIELDS[field](value, hostileClass);
        const headers = { authorization: `Bearer ${tokens[0] ?? ''}`, 'content-type': 'application/json', 'idempotency-key': key(), ...request.headers };
        const response = await send(request.method, request.path, { body: request.body, headers });
        const answer = response.clone();
        await expectWellFormed(response);
        if (field === 'order description' && typeof value === 'string') {
          // Accepted text comes back exactly as sent (trimmed); text PostgreSQL cannot keep is a 422.
          if (value.includes('\u0000') || !value.isWellFormed()) expect(answer.status).toBe(422);
          if (answer.status === 202) {
            const stored = await client('GET', `/api/orders/${((await answer.json()) as { id: string }).id}`);
            expect(stored.body.description).toBe(value.trim());
          }
        }
      },
    ),
    { numRuns: 600 },
  );
  const list = (counts: Map<string, number>) => [...counts].map(([name, count]) => `  ${name}: ${count}`).join('\n');
  console.log(`hostile values per class (each in one field of a valid request):\n${list(tried)}\nper field:\n${list(triedFields)}`);
  expect(({} as Record<string, unknown>).amount).toBeUndefined();
});

test('afterwards the books balance: every balance equals its ledger and none is negative', async () => {
  const rows = await stack.paymentsOrm.em.fork().execute<{ user_id: string; balance: string; ledger: string }[]>(
    `select a.user_id, a.balance, coalesce(sum(l.amount), 0) as ledger
       from accounts a left join ledger_entries l on l.user_id = a.user_id group by a.user_id, a.balance`,
  );
  expect(rows.length).toBeGreaterThanOrEqual(2);
  for (const row of rows) {
    expect(Number(row.balance)).toBe(Number(row.ledger));
    expect(Number(row.balance)).toBeGreaterThanOrEqual(0);
  }
});
