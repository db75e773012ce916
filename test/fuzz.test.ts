import fc from 'fast-check';
import { startStack, type Stack } from './helpers/stack.ts';

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

const ENDPOINTS = [
  ['POST', '/api/account'],
  ['GET', '/api/account'],
  ['POST', '/api/account/deposits'],
  ['POST', '/api/orders'],
  ['GET', '/api/orders'],
  ['GET', '/api/orders/events'],
] as const;

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
