import { Migration } from '@mikro-orm/migrations';

export class Migration20261125050000_inbox_request extends Migration {
  override up(): void {
    this.addSql(`alter table "inbox_messages" add column "user_id" varchar(255) null, add column "amount" bigint null, add column "currency" varchar(3) null;`);
  }
}
