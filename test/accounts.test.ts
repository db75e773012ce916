import { startStack, type Stack } from '../harness/stack.ts';
import { readBooks } from './helpers/books.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const as = (userId: string) => stack.clientFor(userId);

describe('accounts through the gateway', () => {
  test('open, read, deposit: the contract answers', async () => {
    const alice = await as('alice');

    const missing = await alice('GET', '/api/account');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.body).toMatchObject({ status: 404, type: expect.any(String), title: 'Not Found' });

    const opened = await alice('POST', '/api/account');
    expect(opened.status).toBe(201);
    expect(opened.body).toEqual({ userId: 'alice', balance: 0, currency: 'USD' });

    const again = await alice('POST', '/api/account');
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');

    const deposited = await alice('POST', '/api/account/deposits', { body: { amount: 1250 } });
    expect(deposited.status).toBe(201);
    expect(deposited.body).toEqual({ userId: 'alice', balance: 1250, currency: 'USD' });

    const read = await alice('GET', '/api/account');
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ userId: 'alice', balance: 1250, currency: 'USD' });
    expect(read.headers.get('x-request-id')).toMatch(/.+/);
  });

  test('a deposit without an account answers 404 and creates nothing', async () => {
    const nobody = await as('nobody');
    const answer = await nobody('POST', '/api/account/deposits', { body: { amount: 100 } });
    expect(answer.status).toBe(404);
    expect((await nobody('GET', '/api/account')).status).toBe(404);
  });

  test('a user only ever sees their own account', async () => {
    const bob = await as('bob');
    const carol = await as('carol');
    await bob('POST', '/api/account');
    await bob('POST', '/api/account/deposits', { body: { amount: 500 } });

    expect((await carol('GET', '/api/account')).status).toBe(404);
    await carol('POST', '/api/account');
    expect((await carol('GET', '/api/account')).body.balance).toBe(0);
    // A user id smuggled in a header is ignored: the gateway sets it from the token.
    const smuggled = await carol('GET', '/api/account', { headers: { 'x-user-id': 'bob' } });
    expect(smuggled.body.userId).toBe('carol');
    expect((await bob('GET', '/api/account')).body.balance).toBe(500);
  });

  test('fifty concurrent deposits on one account sum exactly, and the ledger agrees', async () => {
    const dave = await as('dave');
    await dave('POST', '/api/account');
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) => dave('POST', '/api/account/deposits', { body: { amount: index + 1 } })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(201));
    const expected = (50 * 51) / 2;
    expect((await dave('GET', '/api/account')).body.balance).toBe(expected);

    expect(await readBooks(stack.paymentsOrm, 'dave')).toEqual({
      balance: expected,
      ledgerTotal: expected,
      ledgerEntries: 50,
    });
  });
});
