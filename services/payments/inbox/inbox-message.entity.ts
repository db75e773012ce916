import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdAt } from '../../../lib/database/timestamps.ts';
import { PAYMENT_OUTCOMES } from '../payment-outcomes.ts';

/**
 * A message the payments side has handled, stored in the same transaction as its effect with the
 * outcome it had: a second delivery finds it and gets that outcome back, changing nothing.
 * The row is written first (its primary key makes a concurrent duplicate wait) and its outcome
 * last, in one transaction, so no one ever sees it without an outcome.
 */
export const InboxMessage = defineEntity({
  name: 'InboxMessage',
  tableName: 'inbox_messages',
  properties: {
    messageId: p.string().primary(),
    outcome: p.enum(PAYMENT_OUTCOMES).nullable(),
    /** What the message asked for, so a redelivery that asks for something else is caught (null on older rows). */
    userId: p.string().nullable(),
    amount: p.bigint('number').nullable(),
    currency: p.string().length(3).nullable(),
    /** When the row was written: its createdAt, named for what the inbox does. */
    receivedAt: createdAt(),
  },
});
export type InboxMessage = InferEntity<typeof InboxMessage>;
