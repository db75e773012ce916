import { openDatabase, type Orm } from '../../lib/database/open-database.ts';
import { IdempotencyKey } from '../../lib/idempotency/idempotency-key.entity.ts';
import { Migration20261125020000_orders } from './migrations/Migration20261125020000_orders.ts';
import { Migration20261125030000_outbox_dead_letters } from './migrations/Migration20261125030000_outbox_dead_letters.ts';
import { Migration20261125040000_currency_mismatch } from './migrations/Migration20261125040000_currency_mismatch.ts';
import { Migration20261125060000_payment_abandoned } from './migrations/Migration20261125060000_payment_abandoned.ts';
import { Migration20261126040000_outbox_traceparent } from './migrations/Migration20261126040000_outbox_traceparent.ts';
import { Order } from './orders/order.entity.ts';
import { OutboxMessage } from './outbox/outbox-message.entity.ts';

export const ordersEntities = [Order, OutboxMessage, IdempotencyKey];

/** Oldest first; a new migration is appended here and never edited once released. */
export const ordersMigrations = [
  Migration20261125020000_orders,
  Migration20261125030000_outbox_dead_letters,
  Migration20261125040000_currency_mismatch,
  Migration20261125060000_payment_abandoned,
  Migration20261126040000_outbox_traceparent,
];

export function openOrdersDatabase(url: string, poolSize: number): Promise<Orm> {
  return openDatabase({ url, entities: ordersEntities, migrations: ordersMigrations, poolSize });
}
