import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { timestamps } from '../../../lib/database/timestamps.ts';
import { MAX_MINOR_UNITS } from '../../../lib/money.ts';

/** One account per user (the primary key says so); the balance never drops below zero (a CHECK says so). */
export const Account = defineEntity({
  name: 'Account',
  tableName: 'accounts',
  properties: {
    userId: p.string().primary(),
    balance: p.bigint('number'),
    currency: p.string().length(3),
    ...timestamps(),
  },
  checks: [{ name: 'accounts_balance_in_range', expression: `balance >= 0 and balance <= ${MAX_MINOR_UNITS}` }],
});
export type Account = InferEntity<typeof Account>;
