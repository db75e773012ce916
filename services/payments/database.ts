import { IdempotencyKey } from '../../lib/idempotency/idempotency-key.entity.ts';
import { openDatabase, type Orm } from '../../lib/database/open-database.ts';
import { Account } from './accounts/account.entity.ts';
import { LedgerEntry } from './accounts/ledger-entry.entity.ts';
import { InboxMessage } from './inbox/inbox-message.entity.ts';
import { Migration20261125000000_accounts } from './migrations/Migration20261125000000_accounts.ts';
import { Migration20261125010000_inbox } from './migrations/Migration20261125010000_inbox.ts';
import { Migration20261125040000_currency_mismatch } from './migrations/Migration20261125040000_currency_mismatch.ts';
import { Migration20261125050000_inbox_request } from './migrations/Migration20261125050000_inbox_request.ts';
import { Migration20261125060000_void } from './migrations/Migration20261125060000_void.ts';

export const paymentsEntities = [Account, LedgerEntry, InboxMessage, IdempotencyKey];

/** Oldest first; a new migration is appended here and never edited once released. */
export const paymentsMigrations = [
  Migration20261125000000_accounts,
  Migration20261125010000_inbox,
  Migration20261125040000_currency_mismatch,
  Migration20261125050000_inbox_request,
  Migration20261125060000_void,
];

export function openPaymentsDatabase(url: string, poolSize: number): Promise<Orm> {
  return openDatabase({ url, entities: paymentsEntities, migrations: paymentsMigrations, poolSize });
}
