import { log } from '@temporalio/activity';
import type { Orm } from '../lib/database/open-database.ts';
import { debit, debitMessageId, voidDebit, type DebitMessage } from '../services/payments/inbox/debit.ts';
import type { PaymentOutcome } from '../services/payments/payment-outcomes.ts';
import { SagaConflict } from '../lib/saga-conflict.ts';
import type { PaymentRequest } from '../workflows/payment.types.ts';
import { failLoudlyOnConflict } from './report-conflict.ts';

/** The payments side's activities, run by the payments worker; built with their dependencies. */
export function createPaymentsActivities({ orm }: { orm: Orm }) {
  return {
    /** Debits the order's amount once, however often it is delivered; answers the outcome. */
    async debit(request: PaymentRequest): Promise<PaymentOutcome> {
      const outcome = await failLoudlyOnConflict(() => debit(orm.em.fork(), debitMessageOf(request)));
      log.info('debit decided', { outcome, amount: request.amount });
      return outcome;
    },
    /** Makes the debit impossible from now on (VOID), or answers its outcome if it already ran. */
    async voidDebit(request: PaymentRequest): Promise<PaymentOutcome> {
      const outcome = await failLoudlyOnConflict(() => voidDebit(orm.em.fork(), debitMessageOf(request)));
      log.info('void decided', { outcome });
      return outcome;
    },
  };
}

export type PaymentsActivities = ReturnType<typeof createPaymentsActivities>;

/**
 * The inbox's message for a payment. A payment the orders service could not have made (started by
 * hand, say) is refused here: the ledger keeps whole units in bigint columns, so a fractional
 * amount would be rounded one way on the balance and another on the ledger entry, and a missing
 * one would be stored beside a user as if it were a row from before amounts were kept.
 */
function debitMessageOf(request: PaymentRequest): DebitMessage {
  const { amount, currency, userId } = request as Partial<PaymentRequest>;
  if (!Number.isSafeInteger(amount) || (amount ?? 0) <= 0 || typeof currency !== 'string' || currency.length !== 3 || typeof userId !== 'string' || userId === '') {
    throw new SagaConflict('MALFORMED_PAYMENT', `payment ${request.orderId} carries no valid user, amount or currency`, { orderId: request.orderId, userId, amount, currency });
  }
  return {
    messageId: debitMessageId(request.orderId),
    orderId: request.orderId,
    userId: request.userId,
    amount: request.amount,
    currency: request.currency,
  };
}
