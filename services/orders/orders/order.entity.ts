import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { timestamps } from '../../../lib/database/timestamps.ts';
import { MAX_MINOR_UNITS } from '../../../lib/money.ts';
import { FAILURE_REASONS } from '../../payments/payment-outcomes.ts';

export const ORDER_STATUSES = ['NEW', 'PAID', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An order moves once, NEW → PAID or NEW → CANCELLED (and then it has a reason). */
export const Order = defineEntity({
  name: 'Order',
  tableName: 'orders',
  properties: {
    id: p.uuid().primary(),
    userId: p.string(),
    amount: p.bigint('number'),
    currency: p.string().length(3),
    description: p.string().length(500),
    status: p.enum(ORDER_STATUSES),
    failureReason: p.enum(FAILURE_REASONS).nullable(),
    ...timestamps(),
  },
  // Serves "my orders, newest first" with keyset pagination.
  indexes: [
    { name: 'orders_user_newest_index', properties: ['userId', 'createdAt', 'id'] },
    // The oldest-NEW-order metric and the reconciler read only the orders still NEW.
    { name: 'orders_new_index', expression: `create index "orders_new_index" on "orders" ("created_at") where "status" = 'NEW'` },
  ],
  checks: [
    { name: 'orders_amount_in_range', expression: `amount > 0 and amount <= ${MAX_MINOR_UNITS}` },
    { name: 'orders_reason_iff_cancelled', expression: `(status = 'CANCELLED') = (failure_reason is not null)` },
  ],
});
export type Order = InferEntity<typeof Order>;
