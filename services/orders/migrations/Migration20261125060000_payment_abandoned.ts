import { Migration } from '@mikro-orm/migrations';

export class Migration20261125060000_payment_abandoned extends Migration {
  override up(): void {
    this.addSql(`alter table "orders" drop constraint "orders_failure_reason_check";`);
    this.addSql(`alter table "orders" add constraint "orders_failure_reason_check" check ("failure_reason" in ('INSUFFICIENT_FUNDS', 'NO_ACCOUNT', 'CURRENCY_MISMATCH', 'PAYMENT_ABANDONED'));`);
    this.addSql(`create index "orders_new_index" on "orders" ("created_at") where "status" = 'NEW';`);
  }
}
