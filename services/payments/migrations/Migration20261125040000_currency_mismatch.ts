import { Migration } from '@mikro-orm/migrations';

export class Migration20261125040000_currency_mismatch extends Migration {
  override up(): void {
    this.addSql(`alter table "inbox_messages" drop constraint "inbox_messages_outcome_check";`);
    this.addSql(`alter table "inbox_messages" add constraint "inbox_messages_outcome_check" check ("outcome" in ('PAID', 'INSUFFICIENT_FUNDS', 'NO_ACCOUNT', 'CURRENCY_MISMATCH'));`);
  }
}
