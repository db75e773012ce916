import type { EntityManager } from '@mikro-orm/postgresql';
import type { PaymentOutcome } from '../../../workflows/payment.types.ts';
import { Order } from './order.entity.ts';
import { toOrderJson } from './orders.ts';

/** The channel that carries every order status change to live subscribers (any gateway). */
export const ORDER_STATUS_CHANNEL = 'order_status';

/**
 * Moves the order out of NEW by a conditional update, so a repeat changes nothing, and announces
 * the change on the status channel in the same transaction. Returns whether it moved now.
 */
export function completeOrder(em: EntityManager, orderId: string, outcome: PaymentOutcome): Promise<boolean> {
  return em.transactional(async (tx) => {
    const moved = await tx.nativeUpdate(
      Order,
      { id: orderId, status: 'NEW' },
      outcome === 'PAID'
        ? { status: 'PAID', updatedAt: new Date() }
        : { status: 'CANCELLED', failureReason: outcome, updatedAt: new Date() },
    );
    if (moved === 0) return false;
    const order = await tx.findOneOrFail(Order, { id: orderId });
    await tx.execute('select pg_notify(?, ?)', [ORDER_STATUS_CHANNEL, JSON.stringify({ userId: order.userId, order: toOrderJson(order) })]);
    return true;
  });
}
