import { Migration } from '@mikro-orm/migrations';

export class Migration20261125030000_outbox_dead_letters extends Migration {
  override up(): void {
    this.addSql(`alter table "outbox_messages" add column "dead_at" timestamptz null;`);
    this.addSql(`drop index "outbox_messages_due_index";`);
    this.addSql(`create index "outbox_messages_due_index" on "outbox_messages" ("next_attempt_at") where "published_at" is null and "dead_at" is null;`);
  }
}
