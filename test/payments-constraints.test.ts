import type { Orm } from '../lib/database/open-database.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { debit, voidDebit } from '../services/payments/inbox/debit.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { until } from './helpers/eventually.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await openPaymentsDatabase(freshDatabaseUrl('payments_schema'), 2);
});
afterAll(() => orm.close());

describe('the database itself guards the money', () => {
  beforeAll(async () => {
    await orm.em.fork().execute(`insert into accounts (user_id, balance, currency, created_at, updated_at) values ('judy', 10, 'USD', now(), now())`);
  });

  test('a balance below zero is refused', async () => {
    await expect(orm.em.fork().execute(`update accounts set balance = -1 where user_id = 'judy'`)).rejects.toThrow(/accounts_balance_in_range/);
  });

  test('a second account for the same user is refused', async () => {
    await expect(
      orm.em.fork().execute(`insert into accounts (user_id, balance, currency, created_at, updated_at) values ('judy', 0, 'USD', now(), now())`),
    ).rejects.toThrow(/duplicate key/);
  });

  test('a ledger entry for no account is refused', async () => {
    await expect(
      orm.em.fork().execute(`insert into ledger_entries (user_id, kind, amount, created_at) values ('nobody', 'DEPOSIT', 5, now())`),
    ).rejects.toThrow(/foreign key/);
  });
});

test('a void racing a debit that is mid-transaction waits for it on the inbox key and answers its outcome: no debit lands after a void', async () => {
  const racing = await openPaymentsDatabase(freshDatabaseUrl('payments_void_race'), 4);
  try {
    await racing.em.fork().execute(`insert into accounts (user_id, balance, currency, created_at, updated_at) values ('rita', 100, 'USD', now(), now())`);
    const message = { messageId: 'debit:void-race', orderId: crypto.randomUUID(), userId: 'rita', amount: 30, currency: 'USD' };
    // A third transaction holds Rita's account row, so the debit stops after writing its inbox row.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = racing.em.fork().transactional(async (tx) => {
      await tx.execute(`select 1 from accounts where user_id = 'rita' for update`);
      locked();
      await held;
    });
    await isLocked;
    const debiting = debit(racing.em.fork(), message);
    await until(async () => (await racing.em.fork().execute(`select 1 from pg_locks where locktype = 'transactionid' and not granted`)).length > 0, 'the debit waiting on the held account row');
    const voiding = voidDebit(racing.em.fork(), message);
    const settled = await Promise.race([voiding.then(() => 'void answered'), new Promise((resolve) => setTimeout(() => resolve('void waits'), 500))]);
    expect(settled).toBe('void waits');

    release();
    await holding;
    expect(await debiting).toBe('PAID');
    expect(await voiding).toBe('PAID');
    const [account] = await racing.em.fork().execute<{ balance: string }[]>(`select balance from accounts where user_id = 'rita'`);
    expect(Number(account?.balance)).toBe(70);
  } finally {
    await racing.close();
  }
});
