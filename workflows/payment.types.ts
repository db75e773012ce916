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

/**
 * The payments side's answer: a business result, never an error. VOID: the debit could not run
 * before its deadline and never will (its inbox row says so).
 */
export type PaymentOutcome = 'PAID' | 'INSUFFICIENT_FUNDS' | 'NO_ACCOUNT' | 'CURRENCY_MISMATCH' | 'VOID';

/** Where a payment is, as the `status` query answers. */
export type PaymentStage = 'DEBITING' | 'REPORTING' | 'DONE';

export interface PaymentStatus {
  stage: PaymentStage;
  outcome: PaymentOutcome | null;
}
