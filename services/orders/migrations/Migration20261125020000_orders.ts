import { Migration } from '@mikro-orm/migrations';

export class Migration20261125020000_orders extends Migration {
  override up(): void {
    this.addSql(`create table "orders" ("id" uuid not null, "user_id" varchar(255) not null, "amount" bigint not null, "currency" varchar(3) not null, "description" varchar(500) not null, "status" text not null, "failure_reason" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "orders_user_newest_index" on "orders" ("user_id", "created_at", "id");`);
    this.addSql(`alter table "orders" add constraint "orders_amount_in_range" check (amount > 0 and amount <= 9007199254740991);`);
    this.addSql(`alter table "orders" add constraint "orders_reason_iff_cancelled" check ((status = 'CANCELLED') = (failure_reason is not null));`);
    this.addSql(`alter table "orders" add constraint "orders_status_check" check ("status" in ('NEW', 'PAID', 'CANCELLED'));`);
    this.addSql(`alter table "orders" add constraint "orders_failure_reason_check" check ("failure_reason" in ('INSUFFICIENT_FUNDS', 'NO_ACCOUNT'));`);

    this.addSql(`create table "outbox_messages" ("id" bigserial primary key, "type" varchar(255) not null, "aggregate_id" uuid not null, "payload" jsonb not null, "attempts" int not null, "next_attempt_at" timestamptz not null, "last_error" text null, "published_at" timestamptz null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "outbox_messages" add constraint "outbox_messages_type_aggregate_unique" unique ("type", "aggregate_id");`);
    this.addSql(`create index "outbox_messages_due_index" on "outbox_messages" ("next_attempt_at") where "published_at" is null;`);

    // The idempotency table, written out here: a released migration never changes with live code.
    this.addSql(`create table "idempotency_keys" ("user_id" varchar(255) not null, "key" varchar(255) not null, "request_hash" varchar(255) not null, "response_status" int not null, "response_body" jsonb not null, "response_location" varchar(255) null, "created_at" timestamptz not null, primary key ("user_id", "key"));`);
    this.addSql(`create index "idempotency_keys_created_at_index" on "idempotency_keys" ("created_at");`);
  }
}
