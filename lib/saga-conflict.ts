/**
 * A message that contradicts what was recorded for it the first time: a redelivered debit with
 * another amount, user or currency, or an order outcome other than the status the order holds;
 * or one that no order could have made (a payment started by hand with a fractional or missing
 * amount). It is a bug somewhere upstream, never a business outcome: retrying cannot help, and
 * answering the first outcome would hide it.
 */
export class SagaConflict extends Error {
  override name = 'SagaConflict';
  readonly kind: 'MISMATCHED_REDELIVERY' | 'CONFLICTING_OUTCOME' | 'MALFORMED_PAYMENT';
  readonly details: Record<string, unknown>;

  constructor(kind: SagaConflict['kind'], message: string, details: Record<string, unknown>) {
    super(message);
    this.kind = kind;
    this.details = details;
  }
}
