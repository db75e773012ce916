import { Migration } from '@mikro-orm/migrations';

export class Migration20261125040000_currency_mismatch extends Migration {
  override up(): void {
    this.addSql(`alter table "orders" drop constraint "orders_failure_reason_check";`);
    this.addSql(`alter table "orders" add constraint "orders_failure_reason_check" check ("failure_reason" in ('INSUFFICIENT_FUNDS', 'NO_ACCOUNT', 'CURRENCY_MISMATCH'));`);
  }
}
