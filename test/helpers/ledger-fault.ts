import type { Orm } from '../../lib/database/open-database.ts';

/**
 * Makes the payments database fail every ledger write of this user (a real database error, as a
 * disk or constraint fault would raise) until the returned function is called; or the writes of
 * this user to another table that has a user_id.
 */
export async function failLedgerWritesOf(orm: Orm, userId: string, table = 'ledger_entries'): Promise<() => Promise<void>> {
  const em = orm.em.fork();
  const name = `refuse_${table}_${userId.replace(/\W/g, '_')}`;
  await em.execute(`create function ${name}() returns trigger language plpgsql as $$
    begin if new.user_id = '${userId.replace(/'/g, "''")}' then raise exception '% down for %', TG_TABLE_NAME, new.user_id; end if; return new; end $$`);
  await em.execute(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`);
  return async () => {
    await em.execute(`drop trigger ${name} on ${table}; drop function ${name}()`);
  };
}
