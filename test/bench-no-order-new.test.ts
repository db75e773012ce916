import pg from 'pg';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { untilNoOrderNew } from '../bench/place-orders.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';

// The saga bench times a phase's orders to their final status and then takes the idle memory: the
// wait must hold out for the last of the phase's own orders, and not for orders outside it (the
// gateway's cost phase leaves NEW ones behind, its relay paused).
test('the wait for no order NEW lasts until the last listed order has left NEW, whatever other orders do', async () => {
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
    await insert('NEW');
    const waiting = [(await insert('NEW')).rows[0]?.id ?? '', (await insert('NEW')).rows[0]?.id ?? ''];
    let done = false;
    const wait = untilNoOrderNew(url, waiting).then(() => (done = true));
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
