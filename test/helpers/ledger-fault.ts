import type { Orm } from '../../lib/database/open-database.ts';

/**
 * Makes the payments database fail every ledger write of this user (a real database error, as a
 * disk or constraint fault would raise) until the returned function is called.
 */
export async function failLedgerWritesOf(orm: Orm, userId: string): Promise<() => Promise<void>> {
  const em = orm.em.fork();
  const name = `refuse_ledger_${userId.replace(/\W/g, '_')}`;
  await em.execute(`create function ${name}() returns trigger language plpgsql as $$
    begin if new.user_id = '${userId.replace(/'/g, "''")}' then raise exception 'ledger down for %', new.user_id; end if; return new; end $$`);
  await em.execute(`create trigger ${name} before insert on ledger_entries for each row execute function ${name}()`);
  return async () => {
    await em.execute(`drop trigger ${name} on ledger_entries; drop function ${name}()`);
  };
}
