import { RetryState } from '@temporalio/common';
import {
  ActivityFailure,
  defineQuery,
  patched,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { OrdersActivities } from '../activities/orders.activities.ts';
import type { PaymentsActivities } from '../activities/payments.activities.ts';
import { SEARCH_ATTRIBUTES, TASK_QUEUES } from './names.ts';
import type { PaymentOutcome } from '../services/payments/payment-outcomes.ts';
import { DEFAULT_DEBIT_DEADLINE_SECONDS, type PaymentRequest, type PaymentStatus } from './payment.types.ts';

export const paymentStatusQuery = defineQuery<PaymentStatus>('status');

/** Runs recorded before the give-up paths replay the old code below; every new run takes the new one. */
const GIVE_UP_PATHS = 'give-up-paths';

// Before the give-up paths: both activities gave up after 50 attempts (about 45 minutes), which
// failed the workflow and could leave a debited order NEW for good. Kept for runs in flight.
const capped = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 50 };
const cappedPayments = proxyActivities<PaymentsActivities>({ taskQueue: TASK_QUEUES.payments, startToCloseTimeout: '10 seconds', retry: capped });
const cappedOrders = proxyActivities<OrdersActivities>({ taskQueue: TASK_QUEUES.orders, startToCloseTimeout: '10 seconds', retry: capped });

// Idempotent activities whose effect must happen: retried without an attempt cap, at most a
// minute apart, for as long as their dependency is down. A stuck one shows in the metrics.
const uncapped = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' };
const orders = proxyActivities<OrdersActivities>({ taskQueue: TASK_QUEUES.orders, startToCloseTimeout: '10 seconds', retry: uncapped });
const payments = proxyActivities<PaymentsActivities>({ taskQueue: TASK_QUEUES.payments, startToCloseTimeout: '10 seconds', retry: uncapped });

/**
 * Pays one order: debits the account through the payments inbox, then reports the outcome to
 * the order. Business outcomes (not enough money, no account) are results, not failures.
 * A debit that cannot run before its deadline is voided instead: the inbox row is written as
 * VOID, so a late delivery can never debit, and the order is cancelled (PAYMENT_ABANDONED);
 * if the debit did get through, the void finds it and the order is paid. Reporting the outcome
 * to the order never gives up.
 */
export async function paymentWorkflow(request: PaymentRequest): Promise<PaymentOutcome> {
  const giveUpPaths = patched(GIVE_UP_PATHS);
  const status: PaymentStatus = { stage: 'DEBITING', outcome: null };
  setHandler(paymentStatusQuery, () => status);
  // Today's relay starts the run with its order and user attributes (startPayment): no command,
  // no second visibility write. A run an older relay started sets them here. The start event
  // decides which, so a replay takes the branch the run took, without a patch.
  if (workflowInfo().typedSearchAttributes.get(SEARCH_ATTRIBUTES.orderId) === undefined) {
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.orderId, value: request.orderId },
      { key: SEARCH_ATTRIBUTES.userId, value: request.userId },
    ]);
  }

  const outcome = giveUpPaths ? await debitOrVoid(request) : await cappedPayments.debit(request);
  status.outcome = outcome;
  status.stage = 'REPORTING';
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.outcome, value: outcome }]);

  await (giveUpPaths ? orders : cappedOrders).completeOrder(request.orderId, outcome);
  status.stage = 'DONE';
  return outcome;
}

async function debitOrVoid(request: PaymentRequest): Promise<PaymentOutcome> {
  const { debit } = proxyActivities<PaymentsActivities>({
    taskQueue: TASK_QUEUES.payments,
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: `${request.debitDeadlineSeconds ?? DEFAULT_DEBIT_DEADLINE_SECONDS} seconds`,
    retry: uncapped,
  });
  try {
    return await debit(request);
  } catch (error) {
    // Only the deadline leads to the void; a non-retryable failure (a conflict) fails the workflow.
    const pastDeadline = error instanceof ActivityFailure && (error.retryState === RetryState.TIMEOUT || error.cause instanceof TimeoutFailure);
    if (!pastDeadline) throw error;
    return payments.voidDebit(request);
  }
}
