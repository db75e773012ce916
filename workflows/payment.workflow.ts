import { defineQuery, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { OrdersActivities } from '../activities/orders.activities.ts';
import type { PaymentsActivities } from '../activities/payments.activities.ts';
import { SEARCH_ATTRIBUTES, TASK_QUEUES } from './names.ts';
import type { PaymentOutcome, PaymentRequest, PaymentStatus } from './payment.types.ts';

export const paymentStatusQuery = defineQuery<PaymentStatus>('status');

// Activities are idempotent, so retrying them is always safe; the bound keeps a dead dependency
// from being retried forever (about 45 minutes, then the workflow fails and can be reset).
const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 50 };

const payments = proxyActivities<PaymentsActivities>({
  taskQueue: TASK_QUEUES.payments,
  startToCloseTimeout: '10 seconds',
  retry,
});
const orders = proxyActivities<OrdersActivities>({
  taskQueue: TASK_QUEUES.orders,
  startToCloseTimeout: '10 seconds',
  retry,
});

/**
 * Pays one order: debits the account through the payments inbox, then reports the outcome to
 * the order. Business outcomes (not enough money, no account) are results, not failures.
 */
export async function paymentWorkflow(request: PaymentRequest): Promise<PaymentOutcome> {
  const status: PaymentStatus = { stage: 'DEBITING', outcome: null };
  setHandler(paymentStatusQuery, () => status);
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.orderId, value: request.orderId },
    { key: SEARCH_ATTRIBUTES.userId, value: request.userId },
  ]);

  const outcome = await payments.debit(request);
  status.outcome = outcome;
  status.stage = 'REPORTING';
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.outcome, value: outcome }]);

  await orders.completeOrder(request.orderId, outcome);
  status.stage = 'DONE';
  return outcome;
}
