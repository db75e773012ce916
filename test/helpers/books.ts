import type { Orm } from '../../lib/database/open-database.ts';

export interface Books {
  balance: number | undefined;
  ledgerTotal: number;
  ledgerEntries: number;
}

/** A user's balance beside the sum and count of their ledger entries, read straight from the database. */
export async function readBooks(orm: Orm, userId: string): Promise<Books> {
  const [row] = await orm.em.fork().execute<{ balance: string | null; total: string; entries: string }[]>(
    `select (select balance from accounts where user_id = ?) as balance,
            coalesce(sum(amount), 0) as total, count(*) as entries
       from ledger_entries where user_id = ?`,
    [userId, userId],
  );
  return {
    balance: row?.balance == null ? undefined : Number(row.balance),
    ledgerTotal: Number(row?.total),
    ledgerEntries: Number(row?.entries),
  };
}
