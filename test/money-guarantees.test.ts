import { randomUUID } from 'node:crypto';
import type { Orm } from '../lib/database/open-database.ts';
import { SagaConflict } from '../lib/saga-conflict.ts';
import { completeOrder } from '../services/orders/orders/complete-order.ts';
import { placeOrder } from '../services/orders/orders/orders.repository.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { debit, debitMessageId } from '../services/payments/inbox/debit.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { failLedgerWritesOf } from './helpers/ledger-fault.ts';

// Each test here guards one line the money depends on: remove or invert that line and the test fails.

let payments: Orm;
let orders: Orm;
beforeAll(async () => {
  [payments, orders] = await Promise.all([
    openPaymentsDatabase(freshDatabaseUrl('payments_guarantees'), 2),
    openOrdersDatabase(freshDatabaseUrl('orders_guarantees'), 2),
  ]);
  await payments.em.fork().execute(`insert into accounts (user_id, balance, currency, created_at, updated_at) values ('gus', 1000, 'USD', now(), now())`);
});
afterAll(() => Promise.all([payments.close(), orders.close()]));

describe('the payments database refuses a second debit of one order by itself', () => {
  test('a second ledger entry for the same order is refused by ledger_entries_order_id_unique', async () => {
    const orderId = randomUUID();
    const insertDebit = () =>
      payments.em.fork().execute(`insert into ledger_entries (user_id, kind, amount, order_id, created_at) values ('gus', 'DEBIT', -5, ?, now())`, [orderId]);
    await insertDebit();
    await expect(insertDebit()).rejects.toThrow(/ledger_entries_order_id_unique/);
  });

  test('a second inbox row for the same message is refused by the inbox key', async () => {
    const insertMessage = () => payments.em.fork().execute(`insert into inbox_messages (message_id, received_at) values ('debit:twice', now())`);
    await insertMessage();
    await expect(insertMessage()).rejects.toThrow(/duplicate key value violates unique constraint "inbox_messages_pkey"/);
  });

  test('the inbox row and its ledger entry are written by one transaction (same xmin)', async () => {
    const orderId = randomUUID();
    expect(await debit(payments.em.fork(), { messageId: debitMessageId(orderId), orderId, userId: 'gus', amount: 7, currency: 'USD' })).toBe('PAID');
    const [row] = await payments.em.fork().execute<{ inbox: string; ledger: string }[]>(
      `select i.xmin::text as inbox, l.xmin::text as ledger from inbox_messages i, ledger_entries l where i.message_id = ? and l.order_id = ?`,
      [debitMessageId(orderId), orderId],
    );
    expect(row).toBeDefined();
    expect(row?.inbox).toBe(row?.ledger);
  });

  test('a debit whose ledger write fails leaves no inbox row behind: a redelivery can still debit', async () => {
    // The xmin above is the outcome update's; this catches an inbox insert moved out of the transaction.
    const em = payments.em.fork();
    await em.execute(`insert into accounts (user_id, balance, currency, created_at, updated_at) values ('ivo', 100, 'USD', now(), now())`);
    const restore = await failLedgerWritesOf(payments, 'ivo');
    const orderId = randomUUID();
    const message = { messageId: debitMessageId(orderId), orderId, userId: 'ivo', amount: 30, currency: 'USD' };
    try {
      await expect(debit(payments.em.fork(), message)).rejects.toThrow(/ledger_entries down for ivo/);
    } finally {
      await restore();
    }
    expect(await em.execute('select 1 from inbox_messages where message_id = ?', [message.messageId])).toEqual([]);
    expect(await debit(payments.em.fork(), message)).toBe('PAID');
  });
});

describe('the orders side', () => {
  const place = (userId: string) => placeOrder(orders.em.fork(), userId, { amount: 5, description: 'guarded' }, { currency: 'USD', requestId: randomUUID() });

  test('an order and its outbox row are written by one transaction (same xmin)', async () => {
    const order = await place('olga');
    const [row] = await orders.em.fork().execute<{ order: string; outbox: string }[]>(
      `select o.xmin::text as order, m.xmin::text as outbox from orders o join outbox_messages m on m.aggregate_id = o.id where o.id = ?`,
      [order.id],
    );
    expect(row).toBeDefined();
    expect(row?.order).toBe(row?.outbox);
  });

  test('completeOrder moves an order only out of NEW: another outcome leaves a final order untouched and says so', async () => {
    const order = await place('olga');
    expect(await completeOrder(orders.em.fork(), order.id, 'PAID')).toBe(true);
    const readOrder = async () =>
      (await orders.em.fork().execute<{ status: string; failure_reason: string | null; updated_at: Date }[]>(
        'select status, failure_reason, updated_at from orders where id = ?',
        [order.id],
      ))[0];
    const paid = await readOrder();

    const conflicting = completeOrder(orders.em.fork(), order.id, 'INSUFFICIENT_FUNDS');
    await expect(conflicting).rejects.toBeInstanceOf(SagaConflict);
    await expect(conflicting).rejects.toMatchObject({ details: { status: 'PAID', outcome: 'INSUFFICIENT_FUNDS' } });
    expect(await readOrder()).toEqual(paid);
    expect(paid?.status).toBe('PAID');
    // The same outcome again is a repeat: no move, no conflict.
    expect(await completeOrder(orders.em.fork(), order.id, 'PAID')).toBe(false);
  });
});
