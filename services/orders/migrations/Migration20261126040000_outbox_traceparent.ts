import { Migration } from '@mikro-orm/migrations';

/** The trace of the request that placed the order, so the relay's start continues it. */
export class Migration20261126040000_outbox_traceparent extends Migration {
  override up(): void {
    this.addSql(`alter table "outbox_messages" add column "traceparent" text null;`);
  }
}
