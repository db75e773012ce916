import pg from 'pg';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { untilNoOrderNew } from '../bench/place-orders.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';

// The saga bench takes the idle memory once the system has no work left: the gateway's cost phase
// makes orders outside any list the bench keeps (autocannon's), and they drain after it. The wait
// given no list must hold out for every order of the database, not for none.
test('the wait for no order NEW, given no list, lasts until the last order of the database has left NEW', async () => {
  const url = freshDatabaseUrl('bench_no_order_new');
  await (await openOrdersDatabase(url, 1)).close();
  const orders = new pg.Client({ connectionString: url });
  await orders.connect();
  try {
    const insert = (status: string) =>
      orders.query<{ id: string }>(
        `insert into orders (id, user_id, amount, currency, description, status, created_at, updated_at) values (gen_random_uuid(), 'u', 1, 'EUR', 'd', $1, now(), now()) returning id`,
        [status],
      );
    await insert('PAID');
    const waiting = [(await insert('NEW')).rows[0]?.id, (await insert('NEW')).rows[0]?.id];
    let done = false;
    const wait = untilNoOrderNew(url).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await orders.query(`update orders set status = 'PAID' where id = $1`, [waiting[0]]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(done).toBe(false);
    await orders.query(`update orders set status = 'PAID' where id = $1`, [waiting[1]]);
    await wait;
    expect(done).toBe(true);
  } finally {
    await orders.end();
  }
});
