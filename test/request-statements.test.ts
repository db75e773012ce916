import { describe, expect, test } from '@jest/globals';
import { startStack, type Stack } from '../harness/stack.ts';
import { statementsDuring } from './helpers/statements.ts';

// What one request costs its service's database, counted in round trips: each is a wait on
// PostgreSQL while the request holds a pooled connection, and the hot path of every order and deposit.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe('statements per request', () => {
  test('a deposit is one statement on the payments database: credit and ledger entry together', async () => {
    const alice = await stack.fundedClientFor('alice', 100);
    const statements = await statementsDuring(stack.paymentsDatabaseUrl, async () => {
      expect((await alice('POST', '/api/account/deposits', { body: { amount: 5 } })).status).toBe(201);
    });
    expect(statements).toHaveLength(1);
  });

  test('placing an order is one statement on the orders database: order, outbox row and wake-up of the relay together', async () => {
    const bob = await stack.clientFor('bob');
    // The first request opens the pool's connection; only a request's own statements count.
    await bob('GET', '/api/orders');
    const statements = await statementsDuring(stack.ordersDatabaseUrl, async () => {
      expect((await bob('POST', '/api/orders', { body: { amount: 5, description: 'one round trip' } })).status).toBe(202);
    });
    expect(statements).toHaveLength(1);
  });

  test('with an Idempotency-Key each is eight: the lock, the lookup, a savepoint around the one statement, the key stored, in one transaction', async () => {
    const carol = await stack.fundedClientFor('carol', 100);
    await carol('GET', '/api/orders');
    for (const path of ['/api/account/deposits', '/api/orders']) {
      const statements = await statementsDuring(path === '/api/orders' ? stack.ordersDatabaseUrl : stack.paymentsDatabaseUrl, async () => {
        const answer = await carol('POST', path, { body: { amount: 5, description: 'keyed' }, headers: { 'idempotency-key': `key-${path}` } });
        expect(answer.status).toBeLessThan(300);
      });
      expect({ path, statements: statements.length }).toEqual({ path, statements: 8 });
      expect(statements[0]).toBe('begin');
      expect(statements.at(-1)).toBe('commit');
    }
  });
});
