import type { EntityManager } from '@mikro-orm/postgresql';
import { SagaConflict } from '../../../lib/saga-conflict.ts';
import type { LedgerEntryKind } from '../accounts/ledger-entry.entity.ts';
import type { PaymentOutcome } from '../payment-outcomes.ts';

/** The inbox key of an order's debit: derived from the order, never random, so every retry carries the same key. */
export function debitMessageId(orderId: string): string {
  return `debit:${orderId}`;
}

export interface DebitMessage {
  /** debitMessageId(orderId): the same for every delivery of this debit. */
  messageId: string;
  orderId: string;
  userId: string;
  amount: number;
  /** The order's currency: only an account in the same currency is debited. */
  currency: string;
}

/**
 * Handles a debit message exactly once, in one transaction: the inbox row (a duplicate waits on
 * its primary key, then reads the outcome stored the first time), the conditional debit with its
 * ledger entry, and the outcome. Not enough money, no account, or an account in another currency
 * (never debited: its cents are not the order's cents) are outcomes, not errors.
 */
export function debit(em: EntityManager, message: DebitMessage): Promise<PaymentOutcome> {
  return em.transactional(async (tx) => {
    const received = await tx.execute<{ message_id: string }[]>(
      `insert into inbox_messages (message_id, user_id, amount, currency, received_at) values (?, ?, ?, ?, now())
       on conflict (message_id) do nothing returning message_id`,
      [message.messageId, message.userId, message.amount, message.currency],
    );
    if (received.length === 0) return firstOutcome(tx, message);

    const debited = await tx.execute<{ user_id: string }[]>(
      `with debited as (
         update accounts set balance = balance - ?, updated_at = now()
          where user_id = ? and currency = ? and balance >= ?
          returning user_id
       ), entry as (
         insert into ledger_entries (user_id, kind, amount, order_id, created_at)
         select user_id, ?, ?, ?, now() from debited
       )
       select user_id from debited`,
      [message.amount, message.userId, message.currency, message.amount, 'DEBIT' satisfies LedgerEntryKind, -message.amount, message.orderId],
    );
    const outcome: PaymentOutcome = debited.length > 0 ? 'PAID' : await whyNotDebited(tx, message);

    await tx.execute('update inbox_messages set outcome = ? where message_id = ?', [outcome, message.messageId]);
    return outcome;
  });
}

async function whyNotDebited(tx: EntityManager, message: DebitMessage): Promise<PaymentOutcome> {
  const [account] = await tx.execute<{ currency: string }[]>('select currency from accounts where user_id = ?', [message.userId]);
  if (!account) return 'NO_ACCOUNT';
  return account.currency === message.currency ? 'INSUFFICIENT_FUNDS' : 'CURRENCY_MISMATCH';
}

/**
 * Gives up on a debit that could not run in time: writes its inbox row as VOID, so any later
 * delivery of it finds the row and debits nothing. If the debit got through after all, its row
 * is there already and its outcome (PAID, say) is answered instead.
 */
export function voidDebit(em: EntityManager, message: DebitMessage): Promise<PaymentOutcome> {
  return em.transactional(async (tx) => {
    const voided = await tx.execute<{ message_id: string }[]>(
      `insert into inbox_messages (message_id, outcome, user_id, amount, currency, received_at) values (?, ?, ?, ?, ?, now())
       on conflict (message_id) do nothing returning message_id`,
      [message.messageId, 'VOID' satisfies PaymentOutcome, message.userId, message.amount, message.currency],
    );
    return voided.length > 0 ? 'VOID' : firstOutcome(tx, message);
  });
}

/** The outcome stored the first time, for a redelivery that carries the same debit; any other is a SagaConflict. */
async function firstOutcome(tx: EntityManager, message: DebitMessage): Promise<PaymentOutcome> {
  // The one row ('get'): the insert just met it under its primary key, and inbox rows are never deleted.
  const seen = await tx.execute<{ outcome: PaymentOutcome; user_id: string | null; amount: string | null; currency: string | null }>(
    'select outcome, user_id, amount, currency from inbox_messages where message_id = ?',
    [message.messageId],
    'get',
  );
  // Rows from before these columns existed carry nulls: nothing to compare them with.
  const first = { userId: seen.user_id, amount: seen.amount === null ? null : Number(seen.amount), currency: seen.currency };
  if (first.userId !== null && (first.userId !== message.userId || first.amount !== message.amount || first.currency !== message.currency)) {
    throw new SagaConflict('MISMATCHED_REDELIVERY', `debit ${message.messageId} was delivered again with another user, amount or currency`, {
      messageId: message.messageId,
      first,
      again: { userId: message.userId, amount: message.amount, currency: message.currency },
    });
  }
  return seen.outcome;
}
