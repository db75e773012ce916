import { Migration } from '@mikro-orm/migrations';

export class Migration20261125010000_inbox extends Migration {
  override up(): void {
    this.addSql(`create table "inbox_messages" ("message_id" varchar(255) not null, "outcome" text null, "received_at" timestamptz not null, primary key ("message_id"));`);
    this.addSql(`alter table "inbox_messages" add constraint "inbox_messages_outcome_check" check ("outcome" in ('PAID', 'INSUFFICIENT_FUNDS', 'NO_ACCOUNT'));`);

    this.addSql(`alter table "ledger_entries" add column "order_id" uuid null;`);
    this.addSql(`alter table "ledger_entries" add constraint "ledger_entries_order_id_unique" unique ("order_id");`);
    this.addSql(`alter table "ledger_entries" add constraint "ledger_entries_order_iff_debit" check ((kind = 'DEBIT') = (order_id is not null));`);
  }
}
