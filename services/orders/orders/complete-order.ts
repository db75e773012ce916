import type { EntityManager } from '@mikro-orm/postgresql';
import { SagaConflict } from '../../../lib/saga-conflict.ts';
import { failureReasonOf, type PaymentOutcome } from '../../payments/payment-outcomes.ts';
import { Order } from './order.entity.ts';
import { toOrderJson } from './orders.repository.ts';

/** The channel that carries every order status change to live subscribers (any gateway). */
export const ORDER_STATUS_CHANNEL = 'order_status';

/**
 * Moves the order out of NEW by a conditional update, so a repeat changes nothing, and announces
 * the change on the status channel in the same transaction. Returns whether it moved now; an
 * order that already holds this outcome did not move (a repeat), one that holds another outcome
 * (or does not exist) is a SagaConflict.
 */
export function completeOrder(em: EntityManager, orderId: string, outcome: PaymentOutcome): Promise<boolean> {
  return em.transactional(async (tx) => {
    const target = outcome === 'PAID' ? ({ status: 'PAID', failureReason: null } as const) : ({ status: 'CANCELLED', failureReason: failureReasonOf(outcome) } as const);
    // A native update runs no onUpdate hook: updatedAt is set here, as the timestamps convention has it.
    const moved = await tx.nativeUpdate(Order, { id: orderId, status: 'NEW' }, { ...target, updatedAt: new Date() });
    if (moved === 0) {
      const order = await tx.findOne(Order, { id: orderId });
      if (order?.status === target.status && (order.failureReason ?? null) === target.failureReason) return false;
      throw new SagaConflict('CONFLICTING_OUTCOME', `order ${orderId} is ${order?.status ?? 'missing'}, the payment says ${outcome}`, {
        orderId,
        outcome,
        status: order?.status ?? null,
        failureReason: order?.failureReason ?? null,
      });
    }
    // The row this transaction just moved: there, and locked until commit.
    const order = await tx.findOneOrFail(Order, { id: orderId });
    await tx.execute('select pg_notify(?, ?)', [ORDER_STATUS_CHANNEL, JSON.stringify({ userId: order.userId, order: toOrderJson(order) })]);
    return true;
  });
}
