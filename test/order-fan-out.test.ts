import type { Orm } from '../lib/database/open-database.ts';
import { ORDER_STATUS_CHANNEL } from '../services/orders/orders/complete-order.ts';
import { OrderEvents } from '../services/orders/orders/order-events.ts';
import type { OrderJson } from '../services/orders/orders/orders.repository.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { testLogger } from '../harness/stack.ts';
import { until } from './helpers/eventually.ts';

let orm: Orm;
let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = freshDatabaseUrl('orders_fan_out');
  orm = await openOrdersDatabase(databaseUrl, 2);
});
afterAll(() => orm.close());

test('an order status change reaches only its owner: every subscriber of the other user hears nothing, every time', async () => {
  const events = new OrderEvents(databaseUrl, testLogger);
  const heard: Record<string, string[]> = { ann: [], ben: [] };
  const subscribe = (userId: string) =>
    events.subscribe(userId, { onOrder: (order) => heard[userId]?.push(order.description), onResume: () => undefined, onClose: () => undefined });
  const unsubscribe = [subscribe('ann'), subscribe('ben'), subscribe('ben')];
  try {
    // One notification is fanned out to every subscriber in one synchronous call: once Ann has
    // heard a change, a broadcast would have handed it to Ben in that same call.
    const announce = (userId: string, description: string) =>
      orm.em.fork().execute('select pg_notify(?, ?)', [ORDER_STATUS_CHANNEL, JSON.stringify({ userId, order: { description } as OrderJson })]);
    let sent = 0;
    // The LISTEN session comes up on its own time: announce until Ann hears one.
    await until(async () => {
      if (heard.ann?.length !== 0) return true;
      await announce('ann', `ann-${++sent}`);
      return false;
    }, 'Ann hearing one of her changes');
    expect(heard.ben).toEqual([]);

    // And the other way round, for both of Ben's subscribers, after Ann's further changes.
    for (let i = 0; i < 20; i++) await announce('ann', `ann-more-${i}`);
    await announce('ben', 'ben-only');
    await until(() => (heard.ben?.length ?? 0) >= 2, "both of Ben's subscribers hearing his change");
    expect(heard.ben).toEqual(['ben-only', 'ben-only']);
    expect(heard.ann?.slice(-20)).toEqual(Array.from({ length: 20 }, (_, i) => `ann-more-${i}`));
  } finally {
    for (const stop of unsubscribe) stop();
    await events.close();
  }
});
