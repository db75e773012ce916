/** The idempotency table, the same in every service's database; each service's first migration creates it. */
export const CREATE_IDEMPOTENCY_KEYS_TABLE = [
  `create table "idempotency_keys" ("user_id" varchar(255) not null, "key" varchar(255) not null, "request_hash" varchar(255) not null, "response_status" int not null, "response_body" jsonb not null, "response_location" varchar(255) null, "created_at" timestamptz not null, primary key ("user_id", "key"));`,
  `create index "idempotency_keys_created_at_index" on "idempotency_keys" ("created_at");`,
];
