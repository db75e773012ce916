import { Migration } from '@mikro-orm/migrations';
import { CREATE_IDEMPOTENCY_KEYS_TABLE } from '../../../lib/idempotency/create-idempotency-keys-table.ts';

export class Migration20261125000000_accounts extends Migration {
  override up(): void {
    this.addSql(`create table "accounts" ("user_id" varchar(255) not null, "balance" bigint not null, "currency" varchar(3) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("user_id"));`);
    this.addSql(`alter table "accounts" add constraint "accounts_balance_in_range" check (balance >= 0 and balance <= 9007199254740991);`);

    this.addSql(`create table "ledger_entries" ("id" bigserial primary key, "user_id" varchar(255) not null, "kind" text not null, "amount" bigint not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "ledger_entries_user_id_index" on "ledger_entries" ("user_id");`);
    this.addSql(`alter table "ledger_entries" add constraint "ledger_entries_amount_not_zero" check (amount <> 0);`);
    this.addSql(`alter table "ledger_entries" add constraint "ledger_entries_kind_check" check ("kind" in ('DEPOSIT', 'DEBIT'));`);
    this.addSql(`alter table "ledger_entries" add constraint "ledger_entries_user_id_foreign" foreign key ("user_id") references "accounts" ("user_id");`);

    for (const statement of CREATE_IDEMPOTENCY_KEYS_TABLE) this.addSql(statement);
  }
}
