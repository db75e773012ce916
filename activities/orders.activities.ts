import { log } from '@temporalio/activity';
import type { Orm } from '../lib/database/open-database.ts';
import { completeOrder } from '../services/orders/orders/complete-order.ts';
import type { PaymentOutcome } from '../services/payments/payment-outcomes.ts';
import { failLoudlyOnConflict } from './report-conflict.ts';

/** The orders side's activities, run by the orders worker; built with their dependencies. */
export function createOrdersActivities({ orm }: { orm: Orm }) {
  return {
    /** Records the payment's outcome on the order; a repeat is a no-op, a contradiction fails loudly. */
    async completeOrder(orderId: string, outcome: PaymentOutcome): Promise<void> {
      await failLoudlyOnConflict(() => completeOrder(orm.em.fork(), orderId, outcome));
      log.info('order completed', { outcome });
    },
  };
}

export type OrdersActivities = ReturnType<typeof createOrdersActivities>;
