import { log } from '@temporalio/activity';
import type { Orm } from '../lib/database/open-database.ts';
import { debit, debitMessageId, voidDebit, type DebitMessage } from '../services/payments/inbox/debit.ts';
import type { PaymentOutcome } from '../services/payments/payment-outcomes.ts';
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

function debitMessageOf(request: PaymentRequest): DebitMessage {
  return {
    messageId: debitMessageId(request.orderId),
    orderId: request.orderId,
    userId: request.userId,
    amount: request.amount,
    currency: request.currency,
  };
}
