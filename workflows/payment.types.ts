import type { PaymentOutcome } from '../services/payments/payment-outcomes.ts';

/** What the outbox hands to the payment workflow. */
export interface PaymentRequest {
  orderId: string;
  userId: string;
  amount: number;
  currency: string;
  /** The id of the HTTP request that placed the order, so logs and the Web UI connect them. */
  requestId?: string;
  /**
   * How long the debit may keep failing before the payment is voided (default
   * DEFAULT_DEBIT_DEADLINE_SECONDS); part of the input so a test can shrink it.
   */
  debitDeadlineSeconds?: number;
}

/** Six hours of a payments outage and the order is abandoned rather than debited later still. */
export const DEFAULT_DEBIT_DEADLINE_SECONDS = 6 * 3600;

/** Where a payment is, as the `status` query answers. */
export type PaymentStage = 'DEBITING' | 'REPORTING' | 'DONE';

export interface PaymentStatus {
  stage: PaymentStage;
  outcome: PaymentOutcome | null;
}
