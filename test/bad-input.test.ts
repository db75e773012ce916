import { startStack, type Stack, type Client } from '../harness/stack.ts';
import { readBooks } from './helpers/books.ts';

let stack: Stack;
let erin: Client;
beforeAll(async () => {
  stack = await startStack();
  erin = await stack.clientFor('erin');
  await erin('POST', '/api/account');
  await erin('POST', '/api/account/deposits', { body: { amount: 700 } });
});
afterAll(() => stack.stop());

const BAD_DEPOSITS: [string, { body: unknown; headers?: Record<string, string> }, number][] = [
  ['zero', { body: { amount: 0 } }, 422],
  ['negative', { body: { amount: -5 } }, 422],
  ['fractional', { body: { amount: 1.5 } }, 422],
  ['a string', { body: { amount: '100' } }, 422],
  ['null', { body: { amount: null } }, 422],
  ['huge', { body: '{"amount": 100000000000000000000}' }, 422],
  ['just over 2^53', { body: { amount: 2 ** 53 } }, 422],
  ['missing', { body: {} }, 422],
  ['no body at all', { body: undefined }, 422],
  ['an array', { body: [{ amount: 5 }] }, 422],
  ['a bare number', { body: '5' }, 400],
  ['malformed JSON', { body: '{"amount": ' }, 400],
  ['oversized', { body: JSON.stringify({ amount: 5, pad: 'x'.repeat(20_000) }) }, 413],
  ['not JSON', { body: 'amount=5', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415],
];

describe('bad input answers 4xx problem+json and changes nothing', () => {
  test.each(BAD_DEPOSITS)('a deposit with %s', async (_name, options, status) => {
    const before = await readBooks(stack.paymentsOrm, 'erin');
    const answer = await erin('POST', '/api/account/deposits', options);
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
    expect(await readBooks(stack.paymentsOrm, 'erin')).toEqual(before);
  });

  test('a validation problem names the fields at fault', async () => {
    const answer = await erin('POST', '/api/account/deposits', { body: { amount: -1 } });
    expect(answer.body.errors).toEqual([{ pointer: '#/amount', detail: expect.any(String) }]);
  });

  test('a deposit that would take the balance past 2^53 - 1 answers 422 and changes nothing', async () => {
    const before = await readBooks(stack.paymentsOrm, 'erin');
    const answer = await erin('POST', '/api/account/deposits', { body: { amount: Number.MAX_SAFE_INTEGER } });
    expect(answer.status).toBe(422);
    expect(await readBooks(stack.paymentsOrm, 'erin')).toEqual(before);
  });

  test.each([
    ['a NUL', 'green\u0000tea', 'must not contain NUL characters'],
    ['an unpaired surrogate', 'green \ud83d tea', 'must not contain unpaired UTF-16 surrogates'],
  ])('an order description with %s answers 422 at the schema (PostgreSQL cannot store it) and creates nothing', async (_name, description, detail) => {
    for (const headers of [{}, { 'idempotency-key': `text-${detail.length}` }] as Record<string, string>[]) {
      const answer = await erin('POST', '/api/orders', { body: { amount: 100, description }, headers });
      expect(answer.status).toBe(422);
      expect(answer.body.errors).toEqual([{ pointer: '#/description', detail }]);
    }
    const orders = await stack.ordersOrm.em.fork().execute('select id from orders where user_id = ?', ['erin']);
    expect(orders).toHaveLength(0);
  });

  test.each(['-271821-04-20T00:00:00.000Z', '0000-01-01T00:00:00.000Z'])('a list cursor holding a time PostgreSQL cannot hold (%s) answers 400', async (time) => {
    const cursor = Buffer.from(JSON.stringify([time, '00000000-0000-4000-8000-000000000000'])).toString('base64url');
    const answer = await erin('GET', `/api/orders?cursor=${cursor}`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
  });

  test('unknown paths and wrong methods are problems too', async () => {
    const unknown = await erin('GET', '/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    const wrongMethod = await erin('DELETE', '/api/account');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('content-type')).toBe('application/problem+json');
  });
});
