/** What the outbox hands to the payment workflow. */
export interface PaymentRequest {
  orderId: string;
  userId: string;
  amount: number;
  currency: string;
  /** The id of the HTTP request that placed the order, so logs and the Web UI connect them. */
  requestId?: string;
}

/** The payments side's answer: a business result, never an error. */
export type PaymentOutcome = 'PAID' | 'INSUFFICIENT_FUNDS' | 'NO_ACCOUNT' | 'CURRENCY_MISMATCH';

/** Where a payment is, as the `status` query answers. */
export type PaymentStage = 'DEBITING' | 'REPORTING' | 'DONE';

export interface PaymentStatus {
  stage: PaymentStage;
  outcome: PaymentOutcome | null;
}
