// The payment vocabulary, owned by the payments side: what a debit can answer, and what that
// answer means to the order. Pure constants: workflow code, activities and the orders side import them.

/** The outcomes that decline a payment; each is also the reason its order is cancelled. */
const DECLINES = ['INSUFFICIENT_FUNDS', 'NO_ACCOUNT', 'CURRENCY_MISMATCH'] as const;

/**
 * The payments side's answer to a debit: a business result, never an error. VOID: the debit
 * could not run before its deadline and never will (its inbox row says so).
 */
export const PAYMENT_OUTCOMES = ['PAID', ...DECLINES, 'VOID'] as const;
export type PaymentOutcome = (typeof PAYMENT_OUTCOMES)[number];

/**
 * Why an order was cancelled: a declining outcome, or PAYMENT_ABANDONED when its debit was voided
 * (CURRENCY_MISMATCH: the account holds another currency than the order).
 */
export const FAILURE_REASONS = [...DECLINES, 'PAYMENT_ABANDONED'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** What an outcome other than PAID cancels the order with. */
export function failureReasonOf(outcome: Exclude<PaymentOutcome, 'PAID'>): FailureReason {
  return outcome === 'VOID' ? 'PAYMENT_ABANDONED' : outcome;
}
