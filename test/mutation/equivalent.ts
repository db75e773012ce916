// The mutants that no test can tell from the original, each with the reason: the summary marks a
// survivor that matches an entry as equivalent, and flags an entry that matches no survivor (its
// code changed, or a test now kills it: then the reason was wrong). One list, not
// `// Stryker disable` comments in the code: such a comment names a mutator, and a mutator makes
// several mutants on a line (a condition forced true and forced false) of which often only one is
// equivalent; the comment would hide the other as well.

/** One equivalent mutant: the mutator's replacement of the line in `file` that contains `code`. */
export interface EquivalentMutant {
  file: string;
  code: string;
  mutator: string;
  replacement: string;
  why: string;
}

export const EQUIVALENT_MUTANTS: EquivalentMutant[] = [
  // The debit
  {
    file: 'services/payments/inbox/debit.ts',
    code: 'voided.length > 0',
    mutator: 'ConditionalExpression',
    replacement: 'false',
    why: "firstOutcome would read back the row this call just inserted: VOID, with this very user, amount and currency, so no conflict and the answer is VOID again (one select more). The amount reads back as written because it is whole: the activity refuses any other (debitMessageOf; a bigint column would round 10.5)",
  },
  {
    file: 'services/payments/inbox/debit.ts',
    code: 'seen.amount === null',
    mutator: 'ConditionalExpression',
    replacement: 'false',
    why: 'a null amount (read as 0) is only in rows from before Migration20261125050000_inbox_request, whose user_id is null too: such a row is never compared (first.userId !== null) nor reported. The activity refuses a payment without an amount (debitMessageOf), so no later row has a user without one',
  },
  // The outbox relay
  {
    file: 'services/orders/outbox/outbox-relay.ts',
    code: 'if (!result) continue;',
    mutator: 'ConditionalExpression',
    replacement: 'false',
    why: 'Promise.allSettled answers exactly one result per message, in order, so results[index] is never undefined for an index of due; the line is there for the type checker (noUncheckedIndexedAccess)',
  },
  {
    file: 'services/orders/outbox/outbox-relay.ts',
    code: 'if (this.stopped) return;',
    mutator: 'ConditionalExpression',
    replacement: 'false',
    why: 'once stopped, the drain that wake() would start checks !this.stopped before its first batch, so it claims, starts and logs nothing; the only difference is a promise that settles at once',
  },
  {
    file: 'services/orders/outbox/outbox-relay.ts',
    code: 'if (row?.dead) {',
    mutator: 'OptionalChaining',
    replacement: 'row.dead',
    why: 'the update targets, by id, the row this transaction claimed FOR UPDATE, so it returns exactly that row or throws: row is never undefined (only a trigger or rule that suppressed the update could make it so, and the schema has none)',
  },
  // The gateway
  {
    file: 'services/gateway/forward.ts',
    code: "'unreadable-body'",
    mutator: 'StringLiteral',
    replacement: '""',
    why: 'never delivered: only reached when the client broke off mid-body, so its connection is gone; metrics record only the status, and the error handler logs 5xx only',
  },
  {
    file: 'services/gateway/forward.ts',
    code: "'The request body could not be read.'",
    mutator: 'StringLiteral',
    replacement: '""',
    why: 'never delivered, as its type above; not in metrics or logs',
  },
  {
    file: 'services/gateway/forward.ts',
    code: 'if (orderId) describeActiveSpan({ orderId });',
    mutator: 'ConditionalExpression',
    replacement: 'true',
    why: "OpenTelemetry sets no attribute whose value is undefined: the span of an answer without an order gets no orderId either way (test/mutation-gateway.test.ts compares the span's attributes strictly)",
  },
  {
    file: 'services/gateway/forward.ts',
    code: "location ?? ''",
    mutator: 'StringLiteral',
    replacement: '"Stryker was here!"',
    why: 'the fallback for an answer without a Location only has to match no order; any text that is not an order path does',
  },
  {
    file: 'services/gateway/forward.ts',
    code: 'return /^',
    mutator: 'Regex',
    replacement: '/\\/api\\/orders\\/([0-9a-f-]{36})$/',
    why: "without its ^: the orders service's Location is always the path /api/orders/<id> itself, never a longer one that ends so",
  },
  {
    file: 'services/gateway/forward.ts',
    code: 'return /^',
    mutator: 'Regex',
    replacement: '/^\\/api\\/orders\\/([0-9a-f-]{36})/',
    why: "without its $: the orders service's Location is always the path /api/orders/<id> itself, never one that goes on",
  },
  {
    file: 'services/gateway/upstream.ts',
    code: '`${origin} is not ready`',
    mutator: 'StringLiteral',
    replacement: '``',
    why: 'Promise.any rejects with an AggregateError that the caller discards: the message is never shown or logged',
  },
  {
    file: 'services/gateway/upstream.ts',
    code: '`no instance of ${upstream.name} is ready`',
    mutator: 'StringLiteral',
    replacement: '``',
    why: '/readyz (lib/http/health.ts) names the failing dependency by its own key, and neither answers nor logs this message',
  },
  {
    file: 'services/gateway/upstream.ts',
    code: '(error as { code?: unknown } | undefined)?.code',
    mutator: 'OptionalChaining',
    replacement: '(error as { code?: unknown; } | undefined).code',
    why: "never undefined: callers pass an error caught from undici's request() or from reading the answer, or deliver()'s failure, set whenever its loop ran; the loop always runs, as the config requires at least one origin",
  },
  {
    file: 'lib/idempotency/idempotent.ts',
    code: "typeof value === 'string'",
    mutator: 'ConditionalExpression',
    replacement: 'true',
    why: 'Node joins a repeated Idempotency-Key into one string, so the value is a string or undefined (test/idempotency.test.ts sends it twice through a raw socket)',
  },
  {
    file: 'lib/idempotency/idempotent.ts',
    code: 'lock?.acquired',
    mutator: 'OptionalChaining',
    replacement: 'lock.acquired',
    why: 'select pg_try_advisory_xact_lock(...) with no FROM always answers exactly one row',
  },
];
