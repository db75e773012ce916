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

/** Resolves once `count` callers have arrived, or fails after `ms`: proof that they all ran at once. */
function barrier(count: number, ms = 5_000): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve, reject) => {
    open = resolve;
    setTimeout(() => reject(new Error(`only ${arrived} of ${count} transactions ran at once`)), ms).unref();
  });
  return () => {
    arrived += 1;
    if (arrived === count) open();
    return opened;
  };
}

test('after a restart ends every session (idle in a transaction, mid-query), the whole pool serves again, not one slot of it', async () => {
  // How a transaction meets the restart: idle, then its COMMIT fails; mid-query; idle, then its next query fails.
  const ways: ((em: EntityManager, restarted: Promise<void>) => Promise<unknown>)[] = [
    (em, restarted) => em.execute('select 1').then(() => restarted),
    (em) => em.execute('select pg_sleep(30)'),
    (em, restarted) => em.execute('select 1').then(() => restarted).then(() => em.execute('select 1')),
  ];
  for (const [round, way] of ways.entries()) {
    let restart: () => void = () => undefined;
    const restarted = new Promise<void>((resolve) => (restart = resolve));
    const inFlight = [way, ways[(round + 1) % ways.length] ?? way].map((meet) => orm.em.fork().transactional((em) => meet(em, restarted)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    restart();
    await Promise.allSettled(inFlight);
  }
  const arrive = barrier(POOL_SIZE);
  const together = Array.from({ length: POOL_SIZE }, () => orm.em.fork().transactional((em) => em.execute('select 1').then(arrive)));
  await expect(within(Promise.all(together))).resolves.toHaveLength(POOL_SIZE);
});
