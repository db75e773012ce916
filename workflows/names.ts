// Names shared by the workflow, its starters and its workers. Pure constants: workflow code imports them.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TASK_QUEUES = {
  /** The payment workflow and the payments-side activities (debit). */
  payments: 'payments',
  /** The orders-side activities (order status). */
  orders: 'orders',
} as const;

/** What every payment's workflow id starts with; the storefront links to the workflow by it. */
export const PAYMENT_WORKFLOW_ID_PREFIX = 'payment-';

/** One workflow per order: the id is the dedupe key that makes the relay's start exactly-once. */
export function paymentWorkflowId(orderId: string): string {
  return `${PAYMENT_WORKFLOW_ID_PREFIX}${orderId}`;
}

/** Registered on the Temporal server so the Web UI can find and filter payments. */
export const SEARCH_ATTRIBUTES = {
  orderId: defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD),
  userId: defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey('PaymentOutcome', SearchAttributeType.KEYWORD),
};

/** The Temporal header that carries the gateway's request id from the workflow to its activities, for their log lines. */
export const REQUEST_ID_HEADER = 'requestId';
