import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Orm } from '../lib/database/open-database.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';

// A transaction whose connection dies (PostgreSQL restarted, the session killed) must give its
// pool slot back; otherwise, after as many deaths as the pool has connections, every query waits
// for ever and the service hangs until someone restarts it.

const POOL_SIZE = 2;
const url = freshDatabaseUrl('dead_connections');
let orm: Orm;
let admin: pg.Client;
beforeAll(async () => {
  orm = await openOrdersDatabase(url, POOL_SIZE);
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await orm.close();
});

/** Ends the session behind `em`'s transaction from outside, as a server restart would. */
async function killSessionOf(em: EntityManager): Promise<void> {
  const [row] = await em.execute<{ pid: number }[]>('select pg_backend_pid() as pid');
  await admin.query('select pg_terminate_backend($1)', [row?.pid]);
}

/** `work`, or a failure that says the pool had no connection for it: a leaked slot makes it wait for ever. */
function within<T>(work: Promise<T>): Promise<T> {
  const ms = 5_000;
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no connection from the pool in ${ms} ms`)), ms).unref())]);
}

test('transactions whose connection dies before COMMIT give their pool slots back', async () => {
  for (let death = 0; death <= POOL_SIZE; death += 1) {
    await expect(within(orm.em.fork().transactional((em) => killSessionOf(em)))).rejects.not.toThrow(/no connection from the pool/);
  }
  await expect(within(orm.em.fork().execute('select 1 as one'))).resolves.toEqual([{ one: 1 }]);
});

test('transactions whose connection dies mid-way, so that they roll back, give their pool slots back', async () => {
  for (let death = 0; death <= POOL_SIZE; death += 1) {
    const transaction = orm.em.fork().transactional(async (em) => {
      await killSessionOf(em);
      await em.execute('select 1');
    });
    await expect(within(transaction)).rejects.not.toThrow(/no connection from the pool/);
  }
  await expect(within(orm.em.fork().execute('select 1 as one'))).resolves.toEqual([{ one: 1 }]);
});
