// The payment workflow with its two steps swapped: a change of commands that recorded histories
// must reject. The replay test proves it does.
import { proxyActivities } from '@temporalio/workflow';
import type { OrdersActivities } from '../../activities/orders.activities.ts';
import type { PaymentsActivities } from '../../activities/payments.activities.ts';
import { TASK_QUEUES } from '../../workflows/names.ts';
import type { PaymentOutcome, PaymentRequest } from '../../workflows/payment.types.ts';

const payments = proxyActivities<PaymentsActivities>({ taskQueue: TASK_QUEUES.payments, startToCloseTimeout: '10 seconds' });
const orders = proxyActivities<OrdersActivities>({ taskQueue: TASK_QUEUES.orders, startToCloseTimeout: '10 seconds' });

export async function paymentWorkflow(request: PaymentRequest): Promise<PaymentOutcome> {
  await orders.completeOrder(request.orderId, 'PAID');
  return payments.debit(request);
}
