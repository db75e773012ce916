import { p } from '@mikro-orm/postgresql';

// When a row was written: one convention for every entity, as a base entity would give it. The
// ORM sets them from the application's clock, to the millisecond (an order's createdAt is part
// of its page cursor, which keeps milliseconds). Hand-written SQL that writes a row sets them with now().

/** Set once, when the row is inserted. */
export function createdAt() {
  return p.datetime().onCreate(() => new Date());
}

/** createdAt, and updatedAt: equal to it at insert, then set at each update the ORM makes. */
export function timestamps() {
  return {
    createdAt: createdAt(),
    updatedAt: p
      .datetime()
      .onCreate((row: { createdAt?: Date }) => row.createdAt ?? new Date())
      .onUpdate(() => new Date()),
  };
}
