import type { Orm } from '../lib/database/open-database.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { freshDatabaseUrl } from './helpers/database-url.ts';

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
