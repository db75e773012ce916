import { Migration } from '@mikro-orm/migrations';

export class Migration20261125200000_limits extends Migration {
  override up(): void {
    this.addSql(`create table "rate_limits" ("key" varchar(255) not null, "points" int not null default 0, "expire" bigint null, primary key ("key"));`);
    this.addSql(`create table "event_stream_leases" ("id" uuid not null, "user_id" varchar(255) not null, "expires_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "event_stream_leases_user_id_index" on "event_stream_leases" ("user_id");`);
  }
}
