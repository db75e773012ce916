import { Migration } from '@mikro-orm/migrations';

export class Migration20261125000000_accounts extends Migration {
  override up(): void {
    this.addSql(`create table "accounts" ("user_id" varchar(255) not null, "balance" bigint not null, "currency" varchar(3) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("user_id"));`);
    this.addSql(`alter table "accounts" add constraint "accounts_balance_in_range" check (balance >= 0 and balance <= 9007199254740991);`);

    this.addSql(`create table "ledger_entries" ("id" bigserial primary key, "user_id" varchar(255) not null, "kind" text not null, "amount" bigint not null, "created_at" timestamptz not null);`);
    this.addSql(`create index "ledger_entries_user_id_index" on "ledger_entries" ("user_id");`);
    this.addSql(`alter table "ledger_entries" add constraint "ledger_entries_amount_not_zero" check (amount <> 0);`);
    this.addSql(`alter table "ledger_entries" add constraint "ledger_entries_kind_check" check ("kind" in ('DEPOSIT', 'DEBIT'));`);
    this.addSql(`alter table "ledger_entries" add constraint "ledger_entries_user_id_foreign" foreign key ("user_id") references "accounts" ("user_id");`);

    // The idempotency table, written out here: a released migration never changes with live code.
    this.addSql(`create table "idempotency_keys" ("user_id" varchar(255) not null, "key" varchar(255) not null, "request_hash" varchar(255) not null, "response_status" int not null, "response_body" jsonb not null, "response_location" varchar(255) null, "created_at" timestamptz not null, primary key ("user_id", "key"));`);
    this.addSql(`create index "idempotency_keys_created_at_index" on "idempotency_keys" ("created_at");`);
  }
}
