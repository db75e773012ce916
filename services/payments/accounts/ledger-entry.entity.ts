import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdAt } from '../../../lib/database/timestamps.ts';
import { Account } from './account.entity.ts';

/** What moved a balance. SQL that names a kind checks it against this list: `'DEBIT' satisfies LedgerEntryKind`. */
export const LEDGER_ENTRY_KINDS = ['DEPOSIT', 'DEBIT'] as const;
export type LedgerEntryKind = (typeof LEDGER_ENTRY_KINDS)[number];

/** Every change of a balance, signed: an account's balance always equals the sum of its entries. */
export const LedgerEntry = defineEntity({
  name: 'LedgerEntry',
  tableName: 'ledger_entries',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    account: () => p.manyToOne(Account).fieldName('user_id').index(),
    kind: p.enum(LEDGER_ENTRY_KINDS),
    amount: p.bigint('number'),
    /** The order a debit paid; unique, so no order can be debited twice. */
    orderId: p.uuid().nullable().unique(),
    createdAt: createdAt(),
  },
  checks: [
    { name: 'ledger_entries_amount_not_zero', expression: 'amount <> 0' },
    { name: 'ledger_entries_order_iff_debit', expression: `(kind = '${'DEBIT' satisfies LedgerEntryKind}') = (order_id is not null)` },
  ],
});
export type LedgerEntry = InferEntity<typeof LedgerEntry>;
